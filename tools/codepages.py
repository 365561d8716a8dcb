#!/usr/bin/env python3
"""Generate src/ingest/feed/codepages.rs: the single-byte encodings `encoding_rs` lacks
(DOS/IBM code pages, the older Mac ones, KOI8-T, VISCII, TCVN 5712, …) as tables, and the
encoding labels a reader meets, each pointing at an `encoding_rs` encoding or at one of
the tables.

    python3 tools/codepages.py > src/ingest/feed/codepages.rs

The tables come from Python's own codecs (which follow the Unicode Consortium's mapping
files) and, for VISCII and TCVN 5712 which Python does not have, from glibc's charmaps
(/usr/share/i18n/charmaps, package `locales`). The labels are the WHATWG
Encoding Standard's, Python's alias names for those codecs, and the names glibc and .NET
give the same encodings, each as a key of its lower-case letters and digits only (so
`IBM-855`, `ibm_855` and `ibm855` are one key). Only ASCII-compatible encodings are
listed: a document is read as one only after its XML declaration has been read as ASCII,
so an EBCDIC label (cp037, cp500, …) or a stateful one (ISO-2022-JP, whose escapes make
`<` stop meaning `<`) cannot be right for it; the script stops if a target is not.
"""
import codecs
import encodings
import encodings.aliases
import gzip
import importlib
import pkgutil
import platform
import re
import sys

# Python codecs that name an encoding `encoding_rs` has, by the `encoding_rs` static. The
# WHATWG reading wins where the two differ, as it does for the labels WHATWG lists:
# ISO-8859-1 and ASCII read as windows-1252, TIS-620 and ISO-8859-11 as windows-874,
# GB2312 as GBK, EUC-KR as windows-949, cp932 as Shift_JIS (windows-31j), Big5-HKSCS and
# cp950 as Big5, and Python's mac_cyrillic as x-mac-cyrillic (which adds Ґ, ґ and €).
WHATWG = {
    'utf_8': 'UTF_8',
    'ascii': 'WINDOWS_1252',
    'latin_1': 'WINDOWS_1252',
    'iso8859_1': 'WINDOWS_1252',
    'cp1252': 'WINDOWS_1252',
    'cp1250': 'WINDOWS_1250',
    'cp1251': 'WINDOWS_1251',
    'cp1253': 'WINDOWS_1253',
    'cp1254': 'WINDOWS_1254',
    'iso8859_9': 'WINDOWS_1254',
    'cp1255': 'WINDOWS_1255',
    'cp1256': 'WINDOWS_1256',
    'cp1257': 'WINDOWS_1257',
    'cp1258': 'WINDOWS_1258',
    'cp874': 'WINDOWS_874',
    'tis_620': 'WINDOWS_874',
    'iso8859_11': 'WINDOWS_874',
    'cp866': 'IBM866',
    'iso8859_2': 'ISO_8859_2',
    'iso8859_3': 'ISO_8859_3',
    'iso8859_4': 'ISO_8859_4',
    'iso8859_5': 'ISO_8859_5',
    'iso8859_6': 'ISO_8859_6',
    'iso8859_7': 'ISO_8859_7',
    'iso8859_8': 'ISO_8859_8',
    'iso8859_10': 'ISO_8859_10',
    'iso8859_13': 'ISO_8859_13',
    'iso8859_14': 'ISO_8859_14',
    'iso8859_15': 'ISO_8859_15',
    'iso8859_16': 'ISO_8859_16',
    'koi8_r': 'KOI8_R',
    'koi8_u': 'KOI8_U',
    'mac_roman': 'MACINTOSH',
    'mac_cyrillic': 'X_MAC_CYRILLIC',
    'gbk': 'GBK',
    'gb2312': 'GBK',
    'gb18030': 'GB18030',
    'big5': 'BIG5',
    'big5hkscs': 'BIG5',
    'cp950': 'BIG5',
    'shift_jis': 'SHIFT_JIS',
    'cp932': 'SHIFT_JIS',
    'euc_jp': 'EUC_JP',
    'euc_kr': 'EUC_KR',
    'cp949': 'EUC_KR',
}

# `encoding_rs` encodings that are not ASCII-compatible (its `is_ascii_compatible()` is
# false for them): no label may point at one.
NOT_ASCII_COMPATIBLE = {'UTF_16LE', 'UTF_16BE', 'ISO_2022_JP', 'REPLACEMENT'}

# The WHATWG Encoding Standard's labels (encodings.json), by the `encoding_rs` static.
# Those of encodings that cannot describe a document whose declaration reads as ASCII
# (UTF-16, ISO-2022-JP, `replacement`, x-user-defined) are left out: the reader refuses
# them, so they stay unknown here.
WHATWG_LABELS = {
    'BIG5': [
        'big5', 'big5-hkscs', 'cn-big5', 'csbig5', 'x-x-big5',
    ],
    'EUC_JP': [
        'cseucpkdfmtjapanese', 'euc-jp', 'x-euc-jp',
    ],
    'EUC_KR': [
        'cseuckr', 'csksc56011987', 'euc-kr', 'iso-ir-149', 'korean', 'ks_c_5601-1987',
        'ks_c_5601-1989', 'ksc5601', 'ksc_5601', 'windows-949',
    ],
    'GB18030': [
        'gb18030',
    ],
    'GBK': [
        'chinese', 'csgb2312', 'csiso58gb231280', 'gb2312', 'gb_2312', 'gb_2312-80', 'gbk',
        'iso-ir-58', 'x-gbk',
    ],
    'IBM866': [
        '866', 'cp866', 'csibm866', 'ibm866',
    ],
    'ISO_2022_JP': [
        'csiso2022jp', 'iso-2022-jp',
    ],
    'ISO_8859_10': [
        'csisolatin6', 'iso-8859-10', 'iso-ir-157', 'iso8859-10', 'iso885910', 'l6',
        'latin6',
    ],
    'ISO_8859_13': [
        'iso-8859-13', 'iso8859-13', 'iso885913',
    ],
    'ISO_8859_14': [
        'iso-8859-14', 'iso8859-14', 'iso885914',
    ],
    'ISO_8859_15': [
        'csisolatin9', 'iso-8859-15', 'iso8859-15', 'iso885915', 'iso_8859-15', 'l9',
    ],
    'ISO_8859_16': [
        'iso-8859-16',
    ],
    'ISO_8859_2': [
        'csisolatin2', 'iso-8859-2', 'iso-ir-101', 'iso8859-2', 'iso88592', 'iso_8859-2',
        'iso_8859-2:1987', 'l2', 'latin2',
    ],
    'ISO_8859_3': [
        'csisolatin3', 'iso-8859-3', 'iso-ir-109', 'iso8859-3', 'iso88593', 'iso_8859-3',
        'iso_8859-3:1988', 'l3', 'latin3',
    ],
    'ISO_8859_4': [
        'csisolatin4', 'iso-8859-4', 'iso-ir-110', 'iso8859-4', 'iso88594', 'iso_8859-4',
        'iso_8859-4:1988', 'l4', 'latin4',
    ],
    'ISO_8859_5': [
        'csisolatincyrillic', 'cyrillic', 'iso-8859-5', 'iso-ir-144', 'iso8859-5',
        'iso88595', 'iso_8859-5', 'iso_8859-5:1988',
    ],
    'ISO_8859_6': [
        'arabic', 'asmo-708', 'csiso88596e', 'csiso88596i', 'csisolatinarabic', 'ecma-114',
        'iso-8859-6', 'iso-8859-6-e', 'iso-8859-6-i', 'iso-ir-127', 'iso8859-6', 'iso88596',
        'iso_8859-6', 'iso_8859-6:1987',
    ],
    'ISO_8859_7': [
        'csisolatingreek', 'ecma-118', 'elot_928', 'greek', 'greek8', 'iso-8859-7',
        'iso-ir-126', 'iso8859-7', 'iso88597', 'iso_8859-7', 'iso_8859-7:1987',
        'sun_eu_greek',
    ],
    'ISO_8859_8': [
        'csiso88598e', 'csisolatinhebrew', 'hebrew', 'iso-8859-8', 'iso-8859-8-e',
        'iso-ir-138', 'iso8859-8', 'iso88598', 'iso_8859-8', 'iso_8859-8:1988', 'visual',
    ],
    'ISO_8859_8_I': [
        'csiso88598i', 'iso-8859-8-i', 'logical',
    ],
    'KOI8_R': [
        'cskoi8r', 'koi', 'koi8', 'koi8-r', 'koi8_r',
    ],
    'KOI8_U': [
        'koi8-ru', 'koi8-u',
    ],
    'MACINTOSH': [
        'csmacintosh', 'mac', 'macintosh', 'x-mac-roman',
    ],
    'REPLACEMENT': [
        'csiso2022kr', 'hz-gb-2312', 'iso-2022-cn', 'iso-2022-cn-ext', 'iso-2022-kr',
        'replacement',
    ],
    'SHIFT_JIS': [
        'csshiftjis', 'ms932', 'ms_kanji', 'shift-jis', 'shift_jis', 'sjis', 'windows-31j',
        'x-sjis',
    ],
    'UTF_16BE': [
        'unicodefffe', 'utf-16be',
    ],
    'UTF_16LE': [
        'csunicode', 'iso-10646-ucs-2', 'ucs-2', 'unicode', 'unicodefeff', 'utf-16',
        'utf-16le',
    ],
    'UTF_8': [
        'unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'utf-8', 'utf8',
        'x-unicode20utf8',
    ],
    'WINDOWS_1250': [
        'cp1250', 'windows-1250', 'x-cp1250',
    ],
    'WINDOWS_1251': [
        'cp1251', 'windows-1251', 'x-cp1251',
    ],
    'WINDOWS_1252': [
        'ansi_x3.4-1968', 'ascii', 'cp1252', 'cp819', 'csisolatin1', 'ibm819', 'iso-8859-1',
        'iso-ir-100', 'iso8859-1', 'iso88591', 'iso_8859-1', 'iso_8859-1:1987', 'l1',
        'latin1', 'us-ascii', 'windows-1252', 'x-cp1252',
    ],
    'WINDOWS_1253': [
        'cp1253', 'windows-1253', 'x-cp1253',
    ],
    'WINDOWS_1254': [
        'cp1254', 'csisolatin5', 'iso-8859-9', 'iso-ir-148', 'iso8859-9', 'iso88599',
        'iso_8859-9', 'iso_8859-9:1989', 'l5', 'latin5', 'windows-1254', 'x-cp1254',
    ],
    'WINDOWS_1255': [
        'cp1255', 'windows-1255', 'x-cp1255',
    ],
    'WINDOWS_1256': [
        'cp1256', 'windows-1256', 'x-cp1256',
    ],
    'WINDOWS_1257': [
        'cp1257', 'windows-1257', 'x-cp1257',
    ],
    'WINDOWS_1258': [
        'cp1258', 'windows-1258', 'x-cp1258',
    ],
    'WINDOWS_874': [
        'dos-874', 'iso-8859-11', 'iso8859-11', 'iso885911', 'tis-620', 'windows-874',
    ],
    'X_MAC_CYRILLIC': [
        'x-mac-cyrillic', 'x-mac-ukrainian',
    ],
    'X_USER_DEFINED': [
        'x-user-defined',
    ],
}
WHATWG_REFUSED = NOT_ASCII_COMPATIBLE | {'X_USER_DEFINED'}

# Names other software gives the same encodings, where Python does not know them (keys
# are letters and digits only, so one spelling of each is enough).
EXTRA_ALIASES = {
    # glibc's gconv-modules aliases.
    'ms_ansi': 'cp1252',
    'ms_ee': 'cp1250',
    'ms_cyrl': 'cp1251',
    'ms_greek': 'cp1253',
    'ms_turk': 'cp1254',
    'ms_hebr': 'cp1255',
    'ms_arab': 'cp1256',
    'winbaltrim': 'cp1257',
    'cpibm861': 'cp861',
    'ibm_856': 'cp856',
    'csibm856': 'cp856',
    '856': 'cp856',
    'ibm848': 'cp1125',
    # IBM's name and number for cp737, as Python has them for the other DOS pages.
    'ibm737': 'cp737',
    '737': 'cp737',
    # IANA's names for cp858, whose IANA name (IBM00858) the decoded document reports.
    'ibm00858': 'cp858',
    'cp00858': 'cp858',
    'ccsid00858': 'cp858',
    'csibm00858': 'cp858',
    'pc_multilingual_850_euro': 'cp858',
    # .NET's names for the Mac code pages (x-mac-ce is its code page 10029), and the
    # MIME name Mac OS, ICU and Mozilla give Mac Central European.
    'x_mac_ce': 'mac_latin2',
    'x_mac_centraleurroman': 'mac_latin2',
    'x_mac_greek': 'mac_greek',
    'x_mac_icelandic': 'mac_iceland',
    'x_mac_turkish': 'mac_turkish',
    'x_mac_croatian': 'mac_croatian',
    'x_mac_romanian': 'mac_romanian',
    'x_mac_arabic': 'mac_arabic',
    # The same patterns for the pages those lists leave out or spell otherwise: no
    # other software's name, but what a writer following them would write.
    'x_mac_farsi': 'mac_farsi',
    'mac_ce': 'mac_latin2',
    'mac_icelandic': 'mac_iceland',
}

# glibc charmaps for the encodings Python lacks, with their names: the charmap's own name
# and its `% alias` lines (TCVN5712-1 has three, VISCII none), plus IANA's (csVISCII).
GLIBC = {
    'viscii': ('VISCII', ['viscii', 'csviscii']),
    'tcvn5712_1': ('TCVN5712-1', ['tcvn', 'tcvn_5712', 'tcvn5712_1', 'tcvn5712_1_1993']),
}

# The name a decoded document reports: IANA's where it registers one.
DISPLAY = {
    'cp437': 'IBM437', 'cp775': 'IBM775', 'cp850': 'IBM850', 'cp852': 'IBM852',
    'cp855': 'IBM855', 'cp857': 'IBM857', 'cp858': 'IBM00858', 'cp860': 'IBM860',
    'cp861': 'IBM861', 'cp862': 'IBM862', 'cp863': 'IBM863', 'cp864': 'IBM864',
    'cp865': 'IBM865', 'cp869': 'IBM869', 'kz1048': 'KZ-1048', 'ptcp154': 'PTCP154',
}

# Bytes a table reads otherwise than its source does, by codec: cp864 (IBM's Arabic DOS
# page) has U+066A ARABIC PERCENT SIGN at 0x25, which would turn every `%` of a URL
# escape into `٪`; a feed's URLs matter more than the glyph DOS drew.
OVERRIDES = {
    'cp864': {0x25: 0x25},
}

# Bytes that must mean themselves for a document in the encoding to be read as XML at all.
MARKUP = set(b'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
             b' \t\r\n<>?!/="\'&;:#-_.[]')


def label_key(label):
    """The lookup key: the label's letters and digits, lower case."""
    return re.sub(r'[^0-9a-z]', '', label.lower())


def python_table(codec):
    table = []
    for byte in range(256):
        try:
            text = bytes([byte]).decode(codec)
        except UnicodeDecodeError:
            text = None
        table.append(ord(text) if text and len(text) == 1 else None)
    return table


def glibc_table(charmap):
    table = [None] * 256
    with gzip.open('/usr/share/i18n/charmaps/%s.gz' % charmap, 'rt', encoding='ascii') as f:
        for line in f:
            # Single-byte lines only: the two-byte ones are base letter + combining mark,
            # which a byte-by-byte reading gives as two characters anyway.
            m = re.match(r'<U([0-9A-F]{4,6})>\s+/x([0-9a-f]{2})\s', line)
            if m:
                table[int(m.group(2), 16)] = int(m.group(1), 16)
    return table


def ascii_compatible(table):
    return all(table[b] == b for b in MARKUP)


def python_ascii_compatible(codec):
    """Whether Python's codec reads every ASCII byte, alone, as itself (a stateful codec
    such as iso2022_jp does not: ESC starts a shift)."""
    for byte in range(128):
        try:
            if bytes([byte]).decode(codec) != chr(byte):
                return False
        except UnicodeDecodeError:
            return False
    return True


def rust_char(code):
    return "'\\u{fffd}'" if code is None else "'\\u{%x}'" % code


def main():
    names = sorted(m.name for m in pkgutil.iter_modules(encodings.__path__))
    single_byte = []
    for name in names:
        try:
            module = importlib.import_module('encodings.' + name)
        except ImportError:  # the Windows-only codecs (mbcs, oem)
            continue
        if hasattr(module, 'decoding_table') or hasattr(module, 'decoding_map'):
            single_byte.append(name)

    tables = {}
    for codec in single_byte:
        if codec in WHATWG:
            continue
        table = python_table(codec)
        for byte, code in OVERRIDES.get(codec, {}).items():
            table[byte] = code
        if ascii_compatible(table):
            display = DISPLAY.get(codec, codecs.lookup(codec).name)
            tables[codec] = (display, table)
    for codec, (charmap, _) in GLIBC.items():
        table = glibc_table(charmap)
        if not ascii_compatible(table):
            sys.exit('glibc charmap %s is not ASCII-compatible' % charmap)
        tables[codec] = (charmap, table)

    for codec, static in WHATWG.items():
        if static in NOT_ASCII_COMPATIBLE or not python_ascii_compatible(codec):
            sys.exit('%s (%s) is not ASCII-compatible' % (codec, static))

    aliases = {}

    def put(label, target):
        k = label_key(label)
        if not k:
            sys.exit('label %r has no letters or digits' % label)
        if aliases.get(k, target) != target:
            sys.exit('label %r names two encodings: %s and %s' % (label, aliases[k], target))
        aliases[k] = target

    def add(label, codec):
        if codec in tables:
            put(label, 'Charset::Table(&%s)' % codec.upper())
        elif codec in WHATWG:
            put(label, 'Charset::Whatwg(&encoding_rs::%s_INIT)' % WHATWG[codec])

    for static, labels in WHATWG_LABELS.items():
        if static in WHATWG_REFUSED:
            continue
        for label in labels:
            put(label, 'Charset::Whatwg(&encoding_rs::%s_INIT)' % static)
    for codec in list(tables) + list(WHATWG):
        add(codec, codec)
    for alias, codec in encodings.aliases.aliases.items():
        add(alias, codec)
    for alias, codec in EXTRA_ALIASES.items():
        add(alias, codec)
    for codec, (_, labels) in GLIBC.items():
        for label in labels:
            add(label, codec)

    out = []
    out.append('//! Single-byte encodings `encoding_rs` lacks, and the encoding labels a reader knows')
    out.append('//! (WHATWG\'s and others). Generated by `tools/codepages.py` from Python\'s codecs and')
    out.append('//! glibc\'s charmaps (Python %s); edit the script, not this file.'
               % platform.python_version())
    out.append('')
    out.append('use super::charset::{Charset, Codepage};')
    for codec in sorted(tables):
        display, table = tables[codec]
        out.append('')
        out.append('#[rustfmt::skip]')
        out.append('pub(super) static %s: Codepage = Codepage {' % codec.upper())
        out.append('    name: "%s",' % display)
        out.append('    table: [')
        for row in range(0, 256, 8):
            out.append('        ' + ' '.join(rust_char(table[b]) + ',' for b in range(row, row + 8)))
        out.append('    ],')
        out.append('};')
    out.append('')
    out.append('/// Labels as lookup keys (lower-case letters and digits only), sorted for binary search.')
    out.append('#[rustfmt::skip]')
    out.append('pub(super) static ALIASES: [(&str, Charset); %d] = [' % len(aliases))
    for key in sorted(aliases):
        out.append('    ("%s", %s),' % (key, aliases[key]))
    out.append('];')
    print('\n'.join(out))


main()
