//! raqib (رقيب, "watcher"): a news-monitoring daemon.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! schedule -> fetch feed -> feed (parse) -> fetch page -> extract -> watch (match) -> story
//!          -> store (one transaction) -> alert (outbox -> sinks)
//! ```
//!
//! The stages in the middle ([`feed`], [`extract`], [`watch`], [`story`], with [`text`] and
//! [`date`] under them) are pure: text in, values out, no I/O and no clock. I/O lives at the
//! ends ([`fetch`], [`store`], [`alert`]) and [`daemon`] alone wires tasks, timers and signals;
//! [`health`] turns stored feed state into reports; [`web`] renders the archive as pages.
//! See ARCHITECTURE.md.

pub mod alert;
pub mod config;
pub mod daemon;
pub mod date;
pub mod discover;
pub mod extract;
pub mod feed;
pub mod fetch;
pub mod health;
pub mod listing;
pub mod metrics;
pub mod opml;
pub mod page;
pub mod rescan;
pub mod schedule;
pub mod search;
pub mod sitemap;
pub mod store;
pub mod story;
pub mod text;
pub mod watch;
pub mod web;
