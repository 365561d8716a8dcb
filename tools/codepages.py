#!/usr/bin/env python3
"""Generate src/ingest/feed/codepages.rs: the single-byte encodings `encoding_rs` lacks
(DOS/IBM code pages, the older Mac ones, KOI8-T, VISCII, TCVN 5712, …) as tables, and the
encoding labels a reader meets that the WHATWG label list does not know, each pointing at
an `encoding_rs` encoding or at one of the tables.

    python3 tools/codepages.py > src/ingest/feed/codepages.rs

The tables come from Python's own codecs (which follow the Unicode Consortium's mapping
files) and, for VISCII and TCVN 5712 which Python does not have, from glibc's charmaps
(/usr/share/i18n/charmaps, package `locales`). The labels are Python's alias names for
those codecs, in the form Python's codec lookup normalises a label to (lower case, every
run of other characters than letters and digits as one `_`), plus the names glibc and
ICU give the same encodings. Only ASCII-compatible encodings are listed: a document is
read as one only after its XML declaration has been read as ASCII, so an EBCDIC label
(cp037, cp500, …) cannot be right for it.
"""
import codecs
import encodings
import encodings.aliases
import gzip
import importlib
import pkgutil
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
    'iso2022_jp': 'ISO_2022_JP',
    'euc_kr': 'EUC_KR',
    'cp949': 'EUC_KR',
}

# Names other software gives the same encodings: ICU's Windows code page names (as
# Internet Explorer sent them) and glibc's.
EXTRA_ALIASES = {
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
    'ibm856': 'cp856',
    '856': 'cp856',
    'ibm737': 'cp737',
    '737': 'cp737',
    'ibm_1125': 'cp1125',
    'mac_centraleurope': 'mac_latin2',
    'mac_ce': 'mac_latin2',
    'x_mac_ce': 'mac_latin2',
    'x_mac_centraleurrp': 'mac_latin2',
    'x_mac_greek': 'mac_greek',
    'x_mac_icelandic': 'mac_iceland',
    'x_mac_turkish': 'mac_turkish',
    'x_mac_croatian': 'mac_croatian',
    'x_mac_romanian': 'mac_romanian',
    'x_mac_arabic': 'mac_arabic',
    'x_mac_farsi': 'mac_farsi',
    'mac_icelandic': 'mac_iceland',
    'koi8t': 'koi8_t',
}

# glibc charmaps for the encodings Python lacks, with their names (the charmap's own name
# and its `% alias` lines, plus the IANA ones).
GLIBC = {
    'viscii': ('VISCII', ['viscii', 'viscii1_1_1', 'csviscii']),
    'tcvn5712_1': ('TCVN5712-1', ['tcvn', 'tcvn_5712', 'tcvn5712_1', 'tcvn5712_1_1993']),
}

# The name a decoded document reports: IANA's where it registers one.
DISPLAY = {
    'cp437': 'IBM437', 'cp775': 'IBM775', 'cp850': 'IBM850', 'cp852': 'IBM852',
    'cp855': 'IBM855', 'cp857': 'IBM857', 'cp858': 'IBM00858', 'cp860': 'IBM860',
    'cp861': 'IBM861', 'cp862': 'IBM862', 'cp863': 'IBM863', 'cp864': 'IBM864',
    'cp865': 'IBM865', 'cp869': 'IBM869', 'kz1048': 'KZ-1048', 'ptcp154': 'PTCP154',
}

# Bytes that must mean themselves for a document in the encoding to be read as XML at all.
MARKUP = set(b'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
             b' \t\r\n<>?!/="\'&;:#-_.[]')


def normalise(label):
    """Python's codec lookup form: lower case, runs of other characters than letters and
    digits as one `_`, none at either end."""
    return '_'.join(part for part in re.split(r'[^0-9a-z]+', label.lower()) if part)


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
        if ascii_compatible(table):
            display = DISPLAY.get(codec, codecs.lookup(codec).name)
            tables[codec] = (display, table)
    for codec, (charmap, _) in GLIBC.items():
        tables[codec] = (charmap, glibc_table(charmap))

    aliases = {}

    def add(label, codec):
        key = normalise(label)
        if codec in tables:
            target = 'Charset::Table(&%s)' % codec.upper()
        elif codec in WHATWG:
            target = 'Charset::Whatwg(&encoding_rs::%s_INIT)' % WHATWG[codec]
        else:
            return
        if aliases.get(key, target) != target:
            sys.exit('label %r names two encodings' % key)
        aliases[key] = target

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
    out.append('//! Single-byte encodings `encoding_rs` lacks, and encoding labels the WHATWG list')
    out.append('//! does not know. Generated by `tools/codepages.py` from Python\'s codecs and')
    out.append('//! glibc\'s charmaps; edit the script, not this file.')
    out.append('')
    out.append('use super::charset::{Charset, Codepage};')
    for codec in sorted(tables):
        display, table = tables[codec]
        low = [(b, table[b]) for b in range(128) if table[b] != b]
        out.append('')
        out.append('#[rustfmt::skip]')
        out.append('pub(super) static %s: Codepage = Codepage {' % codec.upper())
        out.append('    name: "%s",' % display)
        if low:
            out.append('    low: &[')
            pairs = ['(0x%02x, %s),' % (b, rust_char(c)) for b, c in low]
            for at in range(0, len(pairs), 4):
                out.append('        ' + ' '.join(pairs[at:at + 4]))
            out.append('    ],')
        else:
            out.append('    low: &[],')
        out.append('    high: [')
        for row in range(128, 256, 8):
            out.append('        ' + ' '.join(rust_char(table[b]) + ',' for b in range(row, row + 8)))
        out.append('    ],')
        out.append('};')
    out.append('')
    out.append('/// Labels in their normalised form (see `charset::normalise`), sorted for binary search.')
    out.append('#[rustfmt::skip]')
    out.append('pub(super) static ALIASES: [(&str, Charset); %d] = [' % len(aliases))
    for key in sorted(aliases):
        out.append('    ("%s", %s),' % (key, aliases[key]))
    out.append('];')
    print('\n'.join(out))


main()
