//! A watch's rule, compiled, and its evaluation over the term occurrences of one article.
//!
//! Occurrences come from the automaton (see the module above); this part only decides. AND,
//! OR and NOT work on whether a side holds; NEAR works on *spans* (word positions), so its
//! sides are words, phrases, OR groups of them, or other NEARs, as the parser guarantees.
//! Every rule that holds names its witnesses: the occurrences an alert shows.

use std::cell::OnceCell;

use super::Field;
use crate::config::query::{MetaField, Scope};
use crate::text::{Folded, compact};

/// A watch's rule with its words replaced by term ids.
#[derive(Debug, Clone)]
pub enum Node {
    Term {
        term: u32,
        scope: Scope,
    },
    Meta {
        field: MetaField,
        value: String,
        prefix: bool,
    },
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Near {
        left: Box<Node>,
        right: Box<Node>,
        within: u32,
        ordered: bool,
    },
}

/// One occurrence of a term: in which field, at which positions of the field's one-byte
/// folded text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occ {
    /// The watch of the term, kept here to group occurrences without looking the term up.
    pub watch: u32,
    pub term: u32,
    pub field: Field,
    pub start: u32,
    pub end: u32,
}

/// Words between two spans, in the same field.
#[derive(Debug, Clone)]
struct Span {
    field: Field,
    first: u32,
    last: u32,
    witnesses: Vec<usize>,
}

/// A hostile article repeating two terms thousands of times must not make NEAR quadratic in
/// memory: past this many spans a side stops collecting (it already holds).
const MAX_SPANS: usize = 1_000;

/// What a rule is evaluated against: one watch's occurrences in one article.
pub struct Context<'a> {
    pub occs: &'a [Occ],
    /// Folded title and body, for word positions.
    pub folded: [&'a Folded; 2],
    /// The outlet name, folded.
    pub outlet: &'a str,
    pub lang: Option<&'a str>,
    /// Where words begin in the title and the body, computed once per article when a NEAR
    /// first needs it.
    words: &'a Words,
}

/// Word starts of an article's title and body, shared by all watches evaluated on it.
#[derive(Default)]
pub struct Words([OnceCell<Vec<u32>>; 2]);

impl<'a> Context<'a> {
    pub fn new(
        occs: &'a [Occ],
        folded: [&'a Folded; 2],
        outlet: &'a str,
        lang: Option<&'a str>,
        words: &'a Words,
    ) -> Self {
        Context {
            occs,
            folded,
            outlet,
            lang,
            words,
        }
    }

    /// Whether `node` holds, and if so the occurrences that make it hold.
    pub fn eval(&self, node: &Node) -> Option<Vec<usize>> {
        match node {
            Node::Term { term, scope } => {
                let found: Vec<usize> = self
                    .occs
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| o.term == *term && in_scope(o.field, *scope))
                    .map(|(i, _)| i)
                    .collect();
                (!found.is_empty()).then_some(found)
            }
            Node::Meta {
                field,
                value,
                prefix,
            } => {
                let actual = match field {
                    MetaField::Outlet => Some(self.outlet),
                    MetaField::Lang => self.lang.and_then(|l| l.split(['-', '_']).next()),
                };
                let actual = actual.map(str::to_lowercase).unwrap_or_default();
                let holds = if *prefix {
                    actual.starts_with(value.as_str())
                } else {
                    actual == *value
                };
                holds.then(Vec::new)
            }
            Node::And(parts) => {
                let mut all = Vec::new();
                for part in parts {
                    all.extend(self.eval(part)?);
                }
                Some(all)
            }
            Node::Or(parts) => {
                let mut any = None;
                for part in parts {
                    if let Some(found) = self.eval(part) {
                        any.get_or_insert_with(Vec::new).extend(found);
                    }
                }
                any
            }
            Node::Not(inner) => match self.eval(inner) {
                Some(_) => None,
                None => Some(Vec::new()),
            },
            Node::Near { .. } => {
                let spans = self.spans(node);
                (!spans.is_empty()).then(|| spans.into_iter().flat_map(|s| s.witnesses).collect())
            }
        }
    }

    fn spans(&self, node: &Node) -> Vec<Span> {
        match node {
            Node::Term { term, scope } => self
                .occs
                .iter()
                .enumerate()
                .filter(|(_, o)| o.term == *term && in_scope(o.field, *scope))
                .take(MAX_SPANS)
                .map(|(i, o)| Span {
                    field: o.field,
                    first: self.word_at(o.field, o.start),
                    last: self.word_at(o.field, o.end.saturating_sub(1)),
                    witnesses: vec![i],
                })
                .collect(),
            Node::Or(parts) => parts.iter().flat_map(|p| self.spans(p)).collect(),
            Node::Near {
                left,
                right,
                within,
                ordered,
            } => near(self.spans(left), self.spans(right), *within, *ordered),
            // The parser lets nothing else stand beside a NEAR.
            Node::Meta { .. } | Node::And(_) | Node::Not(_) => Vec::new(),
        }
    }

    /// The index of the word holding position `at` of a field.
    fn word_at(&self, field: Field, at: u32) -> u32 {
        let index = field as usize;
        let starts = self.words.0[index].get_or_init(|| word_starts(&self.folded[index].compact));
        starts.partition_point(|&s| s <= at).saturating_sub(1) as u32
    }
}

fn in_scope(field: Field, scope: Scope) -> bool {
    match scope {
        Scope::Anywhere => true,
        Scope::Title => field == Field::Title,
        Scope::Body => field == Field::Body,
    }
}

/// Positions where a word begins.
fn word_starts(text: &[u8]) -> Vec<u32> {
    // Branch-free: every position is written, and the count only moves at a word start; an
    // article has a word start every few bytes, too often for a branch to predict. Words are at
    // least one byte and apart, so at most half the positions (rounded up) start one.
    let mut starts = vec![0; text.len().div_ceil(2) + 1];
    let mut count = 0;
    let mut in_word = false;
    for (i, &b) in text.iter().enumerate() {
        let word = compact::is_word(b);
        starts[count] = i as u32;
        count += usize::from(word & !in_word);
        in_word = word;
    }
    starts.truncate(count);
    starts
}

/// Pairs of spans at most `within` words apart (the left one first when `ordered`), each
/// joined into one span covering both.
fn near(left: Vec<Span>, mut right: Vec<Span>, within: u32, ordered: bool) -> Vec<Span> {
    right.sort_by_key(|s| (s.field as u8, s.first));
    let longest = right.iter().map(|s| s.last - s.first).max().unwrap_or(0);
    let mut joined = Vec::new();
    for a in &left {
        // Right spans that can reach `a`: starting no earlier than `within` words (plus their
        // own length) before it, and no later than `within` words after it.
        let lowest = a.first.saturating_sub(within + longest + 1);
        let highest = a.last.saturating_add(within + 1);
        let from = right.partition_point(|s| (s.field as u8, s.first) < (a.field as u8, lowest));
        for b in right[from..]
            .iter()
            .take_while(|s| s.field == a.field && s.first <= highest)
        {
            let gap = if a.last < b.first {
                b.first - a.last - 1
            } else if b.last < a.first {
                if ordered {
                    continue;
                }
                a.first - b.last - 1
            } else {
                // The same words cannot be near themselves.
                continue;
            };
            if gap <= within {
                joined.push(Span {
                    field: a.field,
                    first: a.first.min(b.first),
                    last: a.last.max(b.last),
                    witnesses: a.witnesses.iter().chain(&b.witnesses).copied().collect(),
                });
                if joined.len() >= MAX_SPANS {
                    return joined;
                }
            }
        }
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold;

    fn span(first: u32, last: u32) -> Span {
        Span {
            field: Field::Body,
            first,
            last,
            witnesses: vec![first as usize],
        }
    }

    #[test]
    fn near_counts_the_words_between() {
        // Words 0 and 4 have 3 words between them.
        assert_eq!(near(vec![span(0, 0)], vec![span(4, 4)], 3, false).len(), 1);
        assert!(near(vec![span(0, 0)], vec![span(4, 4)], 2, false).is_empty());
        assert_eq!(near(vec![span(4, 4)], vec![span(0, 0)], 3, false).len(), 1);
        assert!(near(vec![span(4, 4)], vec![span(0, 0)], 3, true).is_empty());
        assert!(near(vec![span(2, 2)], vec![span(2, 2)], 3, false).is_empty());
        // A long span on the right is found from either side.
        assert_eq!(
            near(vec![span(10, 10)], vec![span(3, 8)], 1, false).len(),
            1
        );
    }

    #[test]
    fn words_are_counted_on_the_folded_text() {
        let folded = fold("Le DGSN, à Rabat : l'office");
        assert_eq!(word_starts(&folded.compact).len(), 6);
        let empty = fold("");
        let words = Words::default();
        let context = Context::new(&[], [&empty, &folded], "", None, &words);
        let rabat = folded.text.find("rabat").unwrap() as u32;
        assert_eq!(context.word_at(Field::Body, rabat), 3);
    }
}
