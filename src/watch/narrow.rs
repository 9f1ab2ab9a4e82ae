//! What a search index can rule out for a query: the tokens (see [`crate::text::index`]) an
//! article must hold for the watch to fire on it. A superset only: the watch decides.

use crate::config::query::Expr;
use crate::text::index::{self, Token};

/// Which indexed articles may match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Narrow {
    Token(Token),
    /// Every part holds.
    All(Vec<Narrow>),
    /// One part holds.
    Any(Vec<Narrow>),
}

/// What the index must hold for `expr` to hold; `None` when it cannot narrow (a query of
/// only `NOT`, `outlet:` or `lang:` holds on articles holding none of its words).
pub fn narrow(expr: &Expr) -> Option<Narrow> {
    match expr {
        Expr::Word { text, .. } => all(index::term_tokens(text).into_iter().map(any_form)),
        // Fields name nothing in the text; NOT holds wherever its words are absent.
        Expr::Meta { .. } | Expr::Not(_) => None,
        Expr::And(parts) => all(parts.iter().filter_map(narrow)),
        Expr::Or(parts) => parts
            .iter()
            .map(narrow)
            .collect::<Option<Vec<_>>>()
            .map(Narrow::Any),
        Expr::Near { left, right, .. } => all([left, right].into_iter().filter_map(|e| narrow(e))),
    }
}

/// One of a word's forms.
fn any_form(mut forms: Vec<Token>) -> Narrow {
    match forms.len() {
        1 => Narrow::Token(forms.remove(0)),
        _ => Narrow::Any(forms.into_iter().map(Narrow::Token).collect()),
    }
}

fn all(parts: impl Iterator<Item = Narrow>) -> Option<Narrow> {
    let mut parts: Vec<Narrow> = parts.collect();
    match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(Narrow::All(parts)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::query::parse;

    fn token(text: &str, prefix: bool) -> Narrow {
        Narrow::Token(Token {
            text: crate::text::fold_str(text),
            prefix,
        })
    }

    /// A term's first word in each of its forms.
    fn first(term: &str) -> Narrow {
        any_form(index::term_tokens(term).remove(0))
    }

    #[test]
    fn words_phrases_and_near_need_all_their_tokens() {
        assert!(
            matches!(first("مكتب"), Narrow::Any(forms) if forms.contains(&token("بمكتب", false)))
        );
        assert_eq!(
            narrow(&parse(r#""مكتب الأمم" NEAR/5 إرهاب*"#).unwrap()),
            Some(Narrow::All(vec![
                Narrow::All(vec![first("مكتب"), token("الامم", false)]),
                first("إرهاب*"),
            ]))
        );
    }

    #[test]
    fn not_and_fields_narrow_nothing_and_an_or_only_when_each_side_does() {
        assert_eq!(
            narrow(&parse("DGSN NOT Tanger lang:fr").unwrap()),
            Some(token("dgsn", false))
        );
        assert_eq!(
            narrow(&parse("DGSN OR Tanger").unwrap()),
            Some(Narrow::Any(vec![
                token("dgsn", false),
                token("tanger", false)
            ]))
        );
        assert_eq!(narrow(&parse("DGSN OR lang:fr").unwrap()), None);
        assert_eq!(narrow(&parse("NOT DGSN").unwrap()), None);
    }
}
