//! Apple Podcasts' category list: the 19 top-level categories and their subcategories,
//! spelled exactly as `itunes:category text="…"` must carry them (Apple ignores a category
//! it does not know, so a typo silently hides a show from its directory).
//!
//! Config validation and the validator both check against this one table. Source: Apple
//! Podcasts' "Podcast categories" list (110 entries: 19 categories, 91 subcategories).

/// Every top-level category with its subcategories, in Apple's order.
pub const CATEGORIES: &[(&str, &[&str])] = &[
    (
        "Arts",
        &[
            "Books",
            "Design",
            "Fashion & Beauty",
            "Food",
            "Performing Arts",
            "Visual Arts",
        ],
    ),
    (
        "Business",
        &[
            "Careers",
            "Entrepreneurship",
            "Investing",
            "Management",
            "Marketing",
            "Non-Profit",
        ],
    ),
    ("Comedy", &["Comedy Interviews", "Improv", "Stand-Up"]),
    (
        "Education",
        &["Courses", "How To", "Language Learning", "Self-Improvement"],
    ),
    ("Fiction", &["Comedy Fiction", "Drama", "Science Fiction"]),
    ("Government", &[]),
    ("History", &[]),
    (
        "Health & Fitness",
        &[
            "Alternative Health",
            "Fitness",
            "Medicine",
            "Mental Health",
            "Nutrition",
            "Sexuality",
        ],
    ),
    (
        "Kids & Family",
        &[
            "Education for Kids",
            "Parenting",
            "Pets & Animals",
            "Stories for Kids",
        ],
    ),
    (
        "Leisure",
        &[
            "Animation & Manga",
            "Automotive",
            "Aviation",
            "Crafts",
            "Games",
            "Hobbies",
            "Home & Garden",
            "Video Games",
        ],
    ),
    (
        "Music",
        &["Music Commentary", "Music History", "Music Interviews"],
    ),
    (
        "News",
        &[
            "Business News",
            "Daily News",
            "Entertainment News",
            "News Commentary",
            "Politics",
            "Sports News",
            "Tech News",
        ],
    ),
    (
        "Religion & Spirituality",
        &[
            "Buddhism",
            "Christianity",
            "Hinduism",
            "Islam",
            "Judaism",
            "Religion",
            "Spirituality",
        ],
    ),
    (
        "Science",
        &[
            "Astronomy",
            "Chemistry",
            "Earth Sciences",
            "Life Sciences",
            "Mathematics",
            "Natural Sciences",
            "Nature",
            "Physics",
            "Social Sciences",
        ],
    ),
    (
        "Society & Culture",
        &[
            "Documentary",
            "Personal Journals",
            "Philosophy",
            "Places & Travel",
            "Relationships",
        ],
    ),
    (
        "Sports",
        &[
            "Baseball",
            "Basketball",
            "Cricket",
            "Fantasy Sports",
            "Football",
            "Golf",
            "Hockey",
            "Rugby",
            "Running",
            "Soccer",
            "Swimming",
            "Tennis",
            "Volleyball",
            "Wilderness",
            "Wrestling",
        ],
    ),
    ("Technology", &[]),
    ("True Crime", &[]),
    (
        "TV & Film",
        &[
            "After Shows",
            "Film History",
            "Film Interviews",
            "Film Reviews",
            "TV Reviews",
        ],
    ),
];

/// Why a category or subcategory is not on Apple's list, with the nearest correct spelling
/// when one differs only in case, spacing or punctuation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CategoryError {
    #[error("`{given}` is not an Apple Podcasts category{}", suggest(.suggestion))]
    UnknownCategory {
        given: String,
        suggestion: Option<&'static str>,
    },
    #[error(
        "`{given}` is not a subcategory of `{category}`{}",
        suggestion_or_list(.suggestion, .allowed)
    )]
    UnknownSubcategory {
        category: &'static str,
        given: String,
        suggestion: Option<&'static str>,
        allowed: &'static [&'static str],
    },
}

fn suggest(suggestion: &Option<&'static str>) -> String {
    match suggestion {
        Some(name) => format!("; did you mean `{name}`?"),
        None => {
            let names: Vec<&str> = CATEGORIES.iter().map(|(name, _)| *name).collect();
            format!("; expected one of: {}", names.join(", "))
        }
    }
}

fn suggestion_or_list(suggestion: &Option<&'static str>, allowed: &[&str]) -> String {
    match (suggestion, allowed.is_empty()) {
        (Some(name), _) => format!("; did you mean `{name}`?"),
        (None, true) => "; it has no subcategories".into(),
        (None, false) => format!("; expected one of: {}", allowed.join(", ")),
    }
}

/// Checks a category and its subcategories, returning Apple's exact spelling of each.
pub fn check(
    category: &str,
    subcategories: &[String],
) -> Result<(&'static str, Vec<&'static str>), CategoryError> {
    let Some(&(name, subs)) = CATEGORIES.iter().find(|(name, _)| *name == category) else {
        return Err(CategoryError::UnknownCategory {
            given: category.to_string(),
            suggestion: closest(category, CATEGORIES.iter().map(|(name, _)| *name)),
        });
    };
    let mut checked = Vec::with_capacity(subcategories.len());
    for given in subcategories {
        match subs.iter().find(|sub| **sub == given.as_str()) {
            Some(sub) => checked.push(*sub),
            None => {
                return Err(CategoryError::UnknownSubcategory {
                    category: name,
                    given: given.clone(),
                    suggestion: closest(given, subs.iter().copied()),
                    allowed: subs,
                });
            }
        }
    }
    Ok((name, checked))
}

/// The known name equal to `given` once case, spaces, hyphens and `&`/`and` are ignored:
/// the usual ways people misspell these names.
fn closest(given: &str, names: impl Iterator<Item = &'static str>) -> Option<&'static str> {
    let key = fold(given);
    names.into_iter().find(|name| fold(name) == key)
}

fn fold(text: &str) -> String {
    text.to_lowercase()
        .replace(" and ", "&")
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '&')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_has_apples_19_categories_and_91_subcategories() {
        assert_eq!(CATEGORIES.len(), 19);
        let subs: usize = CATEGORIES.iter().map(|(_, subs)| subs.len()).sum();
        assert_eq!(subs, 91);
    }

    #[test]
    fn accepts_exact_names() {
        let (name, subs) = check("Education", &["Self-Improvement".into()]).unwrap();
        assert_eq!(name, "Education");
        assert_eq!(subs, vec!["Self-Improvement"]);
        assert!(check("True Crime", &[]).is_ok());
    }

    #[test]
    fn suggests_the_right_spelling() {
        let error = check("health and fitness", &[]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`health and fitness` is not an Apple Podcasts category; did you mean `Health & Fitness`?"
        );
        let error = check("Education", &["How-To".into()]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`How-To` is not a subcategory of `Education`; did you mean `How To`?"
        );
    }

    #[test]
    fn lists_subcategories_when_nothing_is_close() {
        let error = check("Comedy", &["Satire".into()]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`Satire` is not a subcategory of `Comedy`; expected one of: Comedy Interviews, Improv, Stand-Up"
        );
        let error = check("History", &["Ancient".into()]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`Ancient` is not a subcategory of `History`; it has no subcategories"
        );
    }

    #[test]
    fn refuses_retired_categories() {
        // "Games & Hobbies" was replaced by "Leisure" in Apple's 2019 list.
        assert!(matches!(
            check("Games & Hobbies", &[]),
            Err(CategoryError::UnknownCategory { .. })
        ));
    }
}
