//! Where alerts go: a structured log event, or a line in a JSONL file.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;

use crate::config::{self, SinkKind};

#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("sink {sink}: cannot append to {path}: {source}")]
    File {
        sink: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no sink named {0} is configured (removed from the config while alerts were pending?)")]
    Unknown(String),
}

/// A configured sink, ready to deliver.
#[derive(Debug, Clone)]
pub struct Sink {
    name: String,
    kind: SinkKind,
}

impl Sink {
    pub fn new(config: &config::Sink) -> Sink {
        Sink {
            name: config.name.clone(),
            kind: config.kind.clone(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Deliver one alert's JSON (`payload`), whose id is `alert_id`.
    pub fn deliver(&self, alert_id: &str, payload: &str) -> Result<(), SinkError> {
        match &self.kind {
            SinkKind::Log => {
                let summary: serde_json::Value = serde_json::from_str(payload).unwrap_or_default();
                tracing::warn!(
                    target: "raqib::alert",
                    sink = %self.name,
                    alert_id,
                    watch = summary["watch"].as_str().unwrap_or_default(),
                    severity = summary["severity"].as_str().unwrap_or_default(),
                    story = summary["story"].as_i64().unwrap_or_default(),
                    url = summary["article"]["url"].as_str().unwrap_or_default(),
                    title = summary["article"]["title"].as_str().unwrap_or_default(),
                    outlet = summary["article"]["outlet"].as_str().unwrap_or_default(),
                    alert = payload,
                    "watch fired"
                );
                Ok(())
            }
            SinkKind::Jsonl { path } => {
                let file_err = |source| SinkError::File {
                    sink: self.name.clone(),
                    path: path.clone(),
                    source,
                };
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(file_err)?;
                }
                // One write of the whole line to a file opened for appending: concurrent writers
                // and a crash leave whole lines, never torn ones.
                let mut line = String::with_capacity(payload.len() + 1);
                line.push_str(payload);
                line.push('\n');
                let mut file = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(file_err)?;
                file.write_all(line.as_bytes()).map_err(file_err)?;
                file.sync_data().map_err(file_err)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_appends_whole_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/alerts.jsonl");
        let sink = Sink::new(&config::Sink {
            name: "f".into(),
            kind: SinkKind::Jsonl { path: path.clone() },
        });
        sink.deliver("a", r#"{"id":"a"}"#).unwrap();
        sink.deliver("b", r#"{"id":"b"}"#).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"id\":\"a\"}\n{\"id\":\"b\"}\n"
        );
    }

    #[test]
    fn an_unwritable_file_is_an_error_naming_the_sink() {
        let dir = tempfile::tempdir().unwrap();
        let sink = Sink::new(&config::Sink {
            name: "f".into(),
            kind: SinkKind::Jsonl {
                path: dir.path().to_path_buf(),
            },
        });
        let err = sink.deliver("a", "{}").unwrap_err();
        assert!(err.to_string().contains("sink f"), "{err}");
    }
}
