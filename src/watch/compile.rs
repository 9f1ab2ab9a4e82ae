//! Compiling watches: every alias, query word and context word becomes a term; every distinct
//! folded spelling becomes one automaton pattern; every watch becomes a rule over its terms.

use std::collections::HashMap;

use super::eval::Node;
use super::{Reading, Term, WatchError};
use crate::config::Watch;
use crate::config::query::{Expr, MetaField, Scope};
use crate::text::{self, arabic, compact};

#[derive(Default)]
pub(super) struct Builder {
    pub(super) patterns: Vec<Vec<u8>>,
    pattern_ids: HashMap<Vec<u8>, usize>,
    pub(super) by_pattern: Vec<Vec<Reading>>,
    pub(super) terms: Vec<Term>,
    term_ids: HashMap<(usize, Vec<u8>, bool), u32>,
}

impl Builder {
    fn term(&mut self, watch: &Watch, index: usize, written: &str) -> Result<u32, WatchError> {
        let trimmed = written.trim();
        let (body, prefix) = match trimmed.strip_suffix('*') {
            Some(stem) => (stem, true),
            None => (trimmed, false),
        };
        let folded = text::fold_str(body);
        let bytes = compact::encode(&folded);
        if !bytes.iter().any(|b| compact::is_word(*b)) {
            return Err(WatchError::EmptyTerm {
                watch: watch.name.clone(),
                term: written.to_string(),
            });
        }
        let key = (index, bytes.clone(), prefix);
        if let Some(&id) = self.term_ids.get(&key) {
            return Ok(id);
        }
        let id = self.terms.len() as u32;
        let after_lam = arabic::without_article(&folded).map(compact::encode);
        self.terms.push(Term {
            watch: index,
            written: trimmed.to_string(),
            prefix,
            takes_proclitics: arabic::takes_proclitics(&folded),
            confirm: (!bytes.iter().all(|b| compact::is_exact(*b))).then_some(folded),
        });
        self.term_ids.insert(key, id);
        if let Some(after_lam) = after_lam {
            self.pattern(
                after_lam,
                Reading {
                    term: id,
                    after_lam: true,
                },
            );
        }
        self.pattern(
            bytes,
            Reading {
                term: id,
                after_lam: false,
            },
        );
        Ok(id)
    }

    fn pattern(&mut self, bytes: Vec<u8>, reading: Reading) {
        let pattern = match self.pattern_ids.get(&bytes) {
            Some(&p) => p,
            None => {
                self.patterns.push(bytes.clone());
                self.by_pattern.push(Vec::new());
                self.pattern_ids.insert(bytes, self.patterns.len() - 1);
                self.patterns.len() - 1
            }
        };
        self.by_pattern[pattern].push(reading);
    }

    fn expr(&mut self, watch: &Watch, index: usize, expr: &Expr) -> Result<Node, WatchError> {
        Ok(match expr {
            Expr::Word { text, scope } => Node::Term {
                term: self.term(watch, index, text)?,
                scope: *scope,
            },
            Expr::Meta { field, value } => {
                let (value, prefix) = match value.strip_suffix('*') {
                    Some(stem) => (stem, true),
                    None => (value.as_str(), false),
                };
                let value = match field {
                    MetaField::Outlet => text::fold_str(value),
                    MetaField::Lang => value.to_lowercase(),
                };
                Node::Meta {
                    field: *field,
                    value,
                    prefix,
                }
            }
            Expr::And(parts) => Node::And(self.exprs(watch, index, parts)?),
            Expr::Or(parts) => Node::Or(self.exprs(watch, index, parts)?),
            Expr::Not(inner) => Node::Not(Box::new(self.expr(watch, index, inner)?)),
            Expr::Near {
                left,
                right,
                within,
                ordered,
            } => Node::Near {
                left: Box::new(self.expr(watch, index, left)?),
                right: Box::new(self.expr(watch, index, right)?),
                within: *within,
                ordered: *ordered,
            },
        })
    }

    fn exprs(
        &mut self,
        watch: &Watch,
        index: usize,
        parts: &[Expr],
    ) -> Result<Vec<Node>, WatchError> {
        parts.iter().map(|p| self.expr(watch, index, p)).collect()
    }

    /// A watch's rule: any alias (each with the context words its `context` asks for) AND
    /// its query.
    pub(super) fn rule(&mut self, watch: &Watch, index: usize) -> Result<Node, WatchError> {
        let mut aliases = Vec::new();
        for alias in &watch.aliases {
            let term = Node::Term {
                term: self.term(watch, index, alias)?,
                scope: Scope::Anywhere,
            };
            let folded = text::fold_str(alias);
            let contexts: Vec<&crate::config::Context> = watch
                .context
                .iter()
                .filter(|c| text::fold_str(&c.alias) == folded)
                .collect();
            if contexts.is_empty() {
                aliases.push(term);
                continue;
            }
            for context in contexts {
                let near = context
                    .near
                    .iter()
                    .map(|w| {
                        Ok(Node::Term {
                            term: self.term(watch, index, w)?,
                            scope: Scope::Anywhere,
                        })
                    })
                    .collect::<Result<Vec<_>, WatchError>>()?;
                aliases.push(Node::Near {
                    left: Box::new(term.clone()),
                    right: Box::new(Node::Or(near)),
                    within: context.within,
                    ordered: false,
                });
            }
        }
        let query = watch
            .query
            .as_ref()
            .map(|q| self.expr(watch, index, q))
            .transpose()?;
        Ok(match (aliases.is_empty(), query) {
            (false, Some(query)) => Node::And(vec![Node::Or(aliases), query]),
            (true, Some(query)) => query,
            (_, None) => Node::Or(aliases),
        })
    }
}
