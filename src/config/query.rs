//! The watch query language: what a watch's `query` says, parsed into an [`Expr`].
//!
//! ```text
//! query   := or
//! or      := and ( "OR" and )*
//! and     := unary ( "AND"? unary )*          juxtaposition is AND, as in Google Alerts
//! unary   := "NOT" near | near
//! near    := primary ( ("NEAR/n" | "ONEAR/n") primary )*
//! primary := "(" or ")" | field ":" primary | "\"" phrase "\"" | word
//! field   := title | body | outlet | lang
//! ```
//!
//! `AND`, `OR` and `NOT` are operators only in capitals ("or" is a French word); `NEAR/n` and
//! `ONEAR/n` in any case. A word or phrase may end in `*` (any suffix). `NEAR/n` holds when
//! its two sides are at most `n` words apart in either order, `ONEAR/n` when the left one comes
//! first; their sides must be words, phrases, OR groups of them, or other NEARs. Errors carry
//! the column (in characters, from 1) where the query stops making sense and what was expected
//! there.

/// Where a word must appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Anywhere,
    Title,
    Body,
}

/// Facts about the article rather than words in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaField {
    /// The outlet name of the feed (`outlet = "…"` in the config).
    Outlet,
    /// The article's language code (`ar`, `fr`, `en`).
    Lang,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A word or phrase as written (a trailing `*` kept), and where it must appear.
    Word {
        text: String,
        scope: Scope,
    },
    /// `outlet:hespress`, `lang:ar`.
    Meta {
        field: MetaField,
        value: String,
    },
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Near {
        left: Box<Expr>,
        right: Box<Expr>,
        within: u32,
        ordered: bool,
    },
}

/// A query that does not parse: where, and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct QueryError {
    /// 1-based, in characters of the query text.
    pub column: usize,
    pub message: String,
}

/// Largest `n` of `NEAR/n`: beyond a few paragraphs "near" means nothing.
pub const MAX_WITHIN: u32 = 200;
/// Deeper parentheses than this are refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

/// Parse a watch query.
pub fn parse(source: &str) -> Result<Expr, QueryError> {
    let tokens = lex(source)?;
    if tokens.is_empty() {
        return Err(error(1, "the query is empty"));
    }
    let mut parser = Parser {
        tokens,
        at: 0,
        end_column: source.chars().count() + 1,
        depth: 0,
    };
    let expr = parser.or(Scope::Anywhere, None)?;
    if let Some(token) = parser.peek() {
        let message = match token.kind {
            Kind::Close => "this ) closes nothing".to_string(),
            _ => format!(
                "expected AND, OR or the end of the query, found {}",
                token.kind
            ),
        };
        return Err(error(token.column, &message));
    }
    Ok(expr)
}

/// A query standing alone (a watch without aliases) must name words an article has to contain:
/// they are what the alert shows, and without them it would fire on every article.
pub fn check_standalone(expr: &Expr) -> Result<(), QueryError> {
    if requires_word(expr) {
        Ok(())
    } else {
        Err(error(
            1,
            "the query must require at least one word or phrase outside NOT \
             (a query of only NOT, outlet: or lang: would fire on every article)",
        ))
    }
}

/// Whether every article the expression accepts has a word of it in its text.
fn requires_word(expr: &Expr) -> bool {
    match expr {
        Expr::Word { .. } | Expr::Near { .. } => true,
        Expr::Meta { .. } | Expr::Not(_) => false,
        Expr::And(parts) => parts.iter().any(requires_word),
        Expr::Or(parts) => parts.iter().all(requires_word),
    }
}

fn error(column: usize, message: &str) -> QueryError {
    QueryError {
        column,
        message: message.to_string(),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Open,
    Close,
    And,
    Or,
    Not,
    Near { within: u32, ordered: bool },
    Field(Field),
    Phrase(String),
    Word(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    Scope(Scope),
    Meta(MetaField),
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Kind::Open => f.write_str("("),
            Kind::Close => f.write_str(")"),
            Kind::And => f.write_str("AND"),
            Kind::Or => f.write_str("OR"),
            Kind::Not => f.write_str("NOT"),
            Kind::Near { within, ordered } => {
                write!(f, "{}NEAR/{within}", if *ordered { "O" } else { "" })
            }
            Kind::Field(_) => f.write_str("a field"),
            Kind::Phrase(p) => write!(f, "\"{p}\""),
            Kind::Word(w) => write!(f, "{w:?}"),
        }
    }
}

#[derive(Debug)]
struct Token {
    kind: Kind,
    column: usize,
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201C}' | '\u{201D}' | '\u{201E}')
}

fn ends_word(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')') || is_quote(c)
}

fn lex(source: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '(' || c == ')' {
            let kind = if c == '(' { Kind::Open } else { Kind::Close };
            tokens.push(Token { kind, column });
            i += 1;
            continue;
        }
        if is_quote(c) {
            let close = chars[i + 1..]
                .iter()
                .position(|&q| is_quote(q))
                .ok_or_else(|| error(column, "this phrase has no closing quote"))?;
            let mut phrase: String = chars[i + 1..i + 1 + close].iter().collect();
            i += close + 2;
            // "مكافحة الإرهاب"* : a star right after the closing quote belongs to the phrase.
            if chars.get(i) == Some(&'*') {
                phrase.push('*');
                i += 1;
            }
            let phrase = phrase.split_whitespace().collect::<Vec<_>>().join(" ");
            if phrase.trim_end_matches('*').is_empty() {
                return Err(error(column, "this phrase is empty"));
            }
            check_star(&phrase, column)?;
            tokens.push(Token {
                kind: Kind::Phrase(phrase),
                column,
            });
            continue;
        }
        let start = i;
        while i < chars.len() && !ends_word(chars[i]) {
            // `title:` ends a field name; a colon inside a word ("10:30") does not.
            if chars[i] == ':' && chars[start..i].iter().all(char::is_ascii_alphabetic) {
                break;
            }
            i += 1;
        }
        if i < chars.len() && chars[i] == ':' && i > start {
            let name: String = chars[start..i].iter().collect();
            let field = match name.to_ascii_lowercase().as_str() {
                "title" => Field::Scope(Scope::Title),
                "body" => Field::Scope(Scope::Body),
                "outlet" => Field::Meta(MetaField::Outlet),
                "lang" => Field::Meta(MetaField::Lang),
                _ => {
                    return Err(error(
                        column,
                        &format!(
                            "unknown field \"{name}:\" (fields are title:, body:, outlet: and lang:)"
                        ),
                    ));
                }
            };
            tokens.push(Token {
                kind: Kind::Field(field),
                column,
            });
            i += 1;
            continue;
        }
        if i == start {
            // A lone colon.
            return Err(error(
                column,
                "a \":\" must follow a field name (title:, body:, outlet:, lang:)",
            ));
        }
        let word: String = chars[start..i].iter().collect();
        tokens.push(Token {
            kind: keyword(&word, column)?.unwrap_or_else(|| Kind::Word(word.clone())),
            column,
        });
        if let Some(Token {
            kind: Kind::Word(w),
            ..
        }) = tokens.last()
        {
            check_star(w, column)?;
        }
    }
    Ok(tokens)
}

fn keyword(word: &str, column: usize) -> Result<Option<Kind>, QueryError> {
    let kind = match word {
        "AND" => Kind::And,
        "OR" => Kind::Or,
        "NOT" => Kind::Not,
        _ => {
            let upper = word.to_ascii_uppercase();
            let (ordered, rest) = if let Some(rest) = upper.strip_prefix("ONEAR") {
                (true, rest)
            } else if let Some(rest) = upper.strip_prefix("NEAR") {
                (false, rest)
            } else {
                return Ok(None);
            };
            let name = if ordered { "ONEAR" } else { "NEAR" };
            if rest.is_empty() && word.chars().all(|c| c.is_ascii_uppercase()) {
                return Err(error(
                    column,
                    &format!("{name} needs a distance in words, as in {name}/5"),
                ));
            }
            // ASCII upper-casing keeps byte lengths: the same tail of the word as written.
            let Some(number) = word[word.len() - rest.len()..].strip_prefix('/') else {
                return Ok(None);
            };
            let within = number
                .parse::<u32>()
                .ok()
                .filter(|n| *n <= MAX_WITHIN)
                .ok_or_else(|| {
                    error(
                        column,
                        &format!(
                            "{name}/ takes a number of words from 0 to {MAX_WITHIN}, not {number:?}"
                        ),
                    )
                })?;
            Kind::Near { within, ordered }
        }
    };
    Ok(Some(kind))
}

fn check_star(word: &str, column: usize) -> Result<(), QueryError> {
    let inner = word.strip_suffix('*').unwrap_or(word);
    if inner.contains('*') {
        return Err(error(
            column,
            "a * may only end a word or phrase (إرهاب*, terror*)",
        ));
    }
    if inner.is_empty() {
        return Err(error(column, "a * must follow the start of a word"));
    }
    Ok(())
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    end_column: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<&Token> {
        let token = self.tokens.get(self.at);
        self.at += 1;
        token
    }

    /// The error for a missing operand after `after` (an operator's name, or none at the start).
    fn expected_operand(&self, after: Option<&str>) -> QueryError {
        let what = "expected a word, a \"phrase\", a field or (";
        match (self.peek(), after) {
            (Some(token), Some(op)) => error(
                token.column,
                &format!("{what} after {op}, found {}", token.kind),
            ),
            (Some(token), None) => error(token.column, &format!("{what}, found {}", token.kind)),
            (None, Some(op)) => error(
                self.end_column,
                &format!("{what} after {op}, but the query ends"),
            ),
            (None, None) => error(self.end_column, &format!("{what}, but the query ends")),
        }
    }

    fn or(&mut self, scope: Scope, meta: Option<MetaField>) -> Result<Expr, QueryError> {
        let mut parts = vec![self.and(scope, meta, None)?];
        while matches!(self.peek(), Some(Token { kind: Kind::Or, .. })) {
            self.next();
            parts.push(self.and(scope, meta, Some("OR"))?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::Or(parts)
        })
    }

    fn and(
        &mut self,
        scope: Scope,
        meta: Option<MetaField>,
        after: Option<&str>,
    ) -> Result<Expr, QueryError> {
        let mut parts = vec![self.unary(scope, meta, after)?];
        loop {
            match self.peek().map(|t| &t.kind) {
                Some(Kind::And) => {
                    self.next();
                    parts.push(self.unary(scope, meta, Some("AND"))?);
                }
                Some(Kind::Open | Kind::Not | Kind::Field(_) | Kind::Phrase(_) | Kind::Word(_)) => {
                    parts.push(self.unary(scope, meta, None)?);
                }
                _ => break,
            }
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::And(parts)
        })
    }

    fn unary(
        &mut self,
        scope: Scope,
        meta: Option<MetaField>,
        after: Option<&str>,
    ) -> Result<Expr, QueryError> {
        if matches!(
            self.peek(),
            Some(Token {
                kind: Kind::Not,
                ..
            })
        ) {
            self.next();
            return Ok(Expr::Not(Box::new(self.near(scope, meta, Some("NOT"))?)));
        }
        self.near(scope, meta, after)
    }

    fn near(
        &mut self,
        scope: Scope,
        meta: Option<MetaField>,
        after: Option<&str>,
    ) -> Result<Expr, QueryError> {
        let mut left = self.primary(scope, meta, after)?;
        while let Some(Token {
            kind: Kind::Near { within, ordered },
            column,
        }) = self.peek()
        {
            let (within, ordered, column) = (*within, *ordered, *column);
            let name = format!("{}NEAR/{within}", if ordered { "O" } else { "" });
            if meta.is_some() {
                return Err(error(
                    column,
                    &format!("{name} joins words of the text, not outlet: or lang: values"),
                ));
            }
            self.next();
            let right = self.primary(scope, meta, Some(&name))?;
            for side in [&left, &right] {
                if !is_positional(side) {
                    return Err(error(
                        column,
                        &format!(
                            "{name} joins words, phrases, OR groups of them or other NEARs; \
                             AND, NOT and outlet:/lang: cannot be near anything"
                        ),
                    ));
                }
            }
            left = Expr::Near {
                left: Box::new(left),
                right: Box::new(right),
                within,
                ordered,
            };
        }
        Ok(left)
    }

    fn primary(
        &mut self,
        scope: Scope,
        meta: Option<MetaField>,
        after: Option<&str>,
    ) -> Result<Expr, QueryError> {
        let Some(token) = self.peek() else {
            return Err(self.expected_operand(after));
        };
        let column = token.column;
        match token.kind.clone() {
            Kind::Open => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(error(column, "parentheses nest too deep"));
                }
                self.next();
                let inner = self.or(scope, meta)?;
                match self.next() {
                    Some(Token {
                        kind: Kind::Close, ..
                    }) => {}
                    _ => return Err(error(column, "this ( is never closed")),
                }
                self.depth -= 1;
                Ok(inner)
            }
            Kind::Field(field) => {
                if scope != Scope::Anywhere || meta.is_some() {
                    return Err(error(
                        column,
                        "a field cannot be nested inside another field",
                    ));
                }
                self.next();
                let name = match field {
                    Field::Scope(Scope::Title) => "title:",
                    Field::Scope(_) => "body:",
                    Field::Meta(MetaField::Outlet) => "outlet:",
                    Field::Meta(MetaField::Lang) => "lang:",
                };
                match field {
                    Field::Scope(inner) => self.primary(inner, None, Some(name)),
                    Field::Meta(m) => self.primary(scope, Some(m), Some(name)),
                }
            }
            Kind::Phrase(text) | Kind::Word(text) => {
                self.next();
                Ok(match meta {
                    Some(field) => Expr::Meta { field, value: text },
                    None => Expr::Word { text, scope },
                })
            }
            _ => Err(self.expected_operand(after)),
        }
    }
}

fn is_positional(expr: &Expr) -> bool {
    match expr {
        Expr::Word { .. } | Expr::Near { .. } => true,
        Expr::Or(parts) => parts.iter().all(is_positional),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str) -> Expr {
        Expr::Word {
            text: text.into(),
            scope: Scope::Anywhere,
        }
    }

    #[test]
    fn the_issue_examples_parse() {
        let expr = parse(
            r#"("تأمين" NEAR/3 "التظاهرات الرياضية") OR (sécurité NEAR/5 (CAN OR "Coupe du monde"))"#,
        )
        .unwrap();
        let Expr::Or(parts) = expr else {
            panic!("{expr:?}")
        };
        assert_eq!(
            parts[0],
            Expr::Near {
                left: Box::new(word("تأمين")),
                right: Box::new(word("التظاهرات الرياضية")),
                within: 3,
                ordered: false
            }
        );
        assert!(
            matches!(&parts[1], Expr::Near { right, within: 5, .. } if matches!(**right, Expr::Or(_)))
        );
    }

    #[test]
    fn precedence_is_or_then_and_then_not_then_near() {
        assert_eq!(
            parse("a b OR c").unwrap(),
            Expr::Or(vec![Expr::And(vec![word("a"), word("b")]), word("c")])
        );
        assert_eq!(
            parse("a AND NOT b ONEAR/2 c").unwrap(),
            Expr::And(vec![
                word("a"),
                Expr::Not(Box::new(Expr::Near {
                    left: Box::new(word("b")),
                    right: Box::new(word("c")),
                    within: 2,
                    ordered: true
                }))
            ])
        );
        assert_eq!(
            parse("Hammouchi or DGSN").unwrap(),
            Expr::And(vec![word("Hammouchi"), word("or"), word("DGSN")])
        );
    }

    #[test]
    fn fields_scope_words_and_read_facts() {
        assert_eq!(
            parse("title:(حموشي OR DGSN) lang:ar").unwrap(),
            Expr::And(vec![
                Expr::Or(vec![
                    Expr::Word {
                        text: "حموشي".into(),
                        scope: Scope::Title
                    },
                    Expr::Word {
                        text: "DGSN".into(),
                        scope: Scope::Title
                    },
                ]),
                Expr::Meta {
                    field: MetaField::Lang,
                    value: "ar".into()
                },
            ])
        );
        assert_eq!(
            parse("إرهاب* outlet:\"Le360\"").unwrap(),
            Expr::And(vec![
                word("إرهاب*"),
                Expr::Meta {
                    field: MetaField::Outlet,
                    value: "Le360".into()
                }
            ])
        );
        assert_eq!(parse("\"مكافحة الإرهاب\"*").unwrap(), word("مكافحة الإرهاب*"));
        assert_eq!(parse("10:30").unwrap(), word("10:30"));
    }

    #[test]
    fn errors_say_where_and_what_was_expected() {
        let cases = [
            ("", 1, "empty"),
            ("a AND", 6, "after AND, but the query ends"),
            ("(a OR b", 1, "never closed"),
            ("a OR b)", 7, "closes nothing"),
            ("a NEAR b", 3, "NEAR/5"),
            ("a NEAR/x b", 3, "number of words"),
            ("a NEAR/500 b", 3, "0 to 200"),
            ("(a AND b) NEAR/3 c", 11, "cannot be near"),
            ("NOT a", 1, "at least one word"),
            ("lang:ar", 1, "at least one word"),
            ("a OR NOT b", 1, "at least one word"),
            ("author:x", 1, "unknown field \"author:\""),
            ("\"a b", 1, "no closing quote"),
            ("te*rror", 1, "may only end"),
            ("title:body:x", 7, "nested inside"),
            ("outlet:(a NEAR/2 b) x", 11, "not outlet:"),
            ("a OR OR b", 6, "found OR"),
        ];
        for (query, column, message) in cases {
            let err = parse(query)
                .and_then(|expr| check_standalone(&expr))
                .expect_err(query);
            assert_eq!(err.column, column, "{query}: {err}");
            assert!(err.message.contains(message), "{query}: {err}");
        }
        let deep = format!("{}a{}", "(".repeat(100), ")".repeat(100));
        assert!(parse(&deep).unwrap_err().message.contains("too deep"));
    }
}
