//! Per-outlet extraction rules from the config: CSS selectors for the article body (the first
//! that matches wins) and for parts to cut out. A rule that stops matching (a redesign) falls
//! back to the general extractor and says so.

use scraper::{Html, Selector};

use super::blocks::{self, Block};

/// Compiled rules of one outlet.
#[derive(Debug, Clone)]
pub struct Rules {
    body: Vec<Selector>,
    remove: Vec<Selector>,
}

/// A selector that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("invalid CSS selector {selector:?}: {message}")]
pub struct RuleError {
    pub selector: String,
    pub message: String,
}

/// Whether an outlet's rules found the article body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleOutcome {
    /// The outlet has no body rule.
    NoRules,
    Matched,
    /// No body selector matched: the general extractor was used.
    Missed,
}

/// Compile one selector.
pub fn selector(text: &str) -> Result<Selector, RuleError> {
    Selector::parse(text).map_err(|err| RuleError {
        selector: text.to_string(),
        message: err.to_string(),
    })
}

impl Rules {
    pub fn new(body: &[String], remove: &[String]) -> Result<Rules, RuleError> {
        Ok(Rules {
            body: body.iter().map(|s| selector(s)).collect::<Result<_, _>>()?,
            remove: remove
                .iter()
                .map(|s| selector(s))
                .collect::<Result<_, _>>()?,
        })
    }

    pub fn has_body(&self) -> bool {
        !self.body.is_empty()
    }

    /// Cut the `remove` matches out of `document`; whether anything was cut.
    pub(super) fn prune(&self, document: &mut Html) -> bool {
        let doomed: Vec<_> = self
            .remove
            .iter()
            .flat_map(|s| document.select(s).map(|e| e.id()).collect::<Vec<_>>())
            .collect();
        for id in &doomed {
            if let Some(mut node) = document.tree.get_mut(*id) {
                node.detach();
            }
        }
        !doomed.is_empty()
    }

    /// The paragraphs of the first `body` match, if one matched.
    pub(super) fn body(&self, document: &Html) -> Option<Vec<Block>> {
        self.body
            .iter()
            .find_map(|s| document.select(s).next())
            .map(blocks::paragraphs_of_element)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<html><body><div class='story'><p>Un.</p><div class='share'>Partager</div><p>Deux.</p></div>\
                        <aside class='related'><p>Autre article</p></aside></body></html>";

    #[test]
    fn the_first_matching_body_wins_and_removals_apply() {
        let rules = Rules::new(
            &["div.missing".into(), "div.story".into()],
            &[".share".into()],
        )
        .unwrap();
        let mut document = Html::parse_document(PAGE);
        assert!(rules.prune(&mut document));
        let texts: Vec<String> = rules
            .body(&document)
            .unwrap()
            .into_iter()
            .map(|b| b.text)
            .collect();
        assert_eq!(texts, vec!["Un.", "Deux."]);
        let pruned = document.html();
        assert!(!pruned.contains("Partager") && pruned.contains("Autre article"));
    }

    #[test]
    fn a_body_rule_that_matches_nothing_is_a_miss() {
        let rules = Rules::new(&["div.entry-content".into()], &[]).unwrap();
        assert!(rules.body(&Html::parse_document(PAGE)).is_none());
    }

    #[test]
    fn bad_selectors_are_errors() {
        let err = Rules::new(&["div..x".into()], &[]).unwrap_err();
        assert!(err.to_string().contains("div..x"));
    }
}
