//! `format = "template"`: the body is what the sink's minijinja template renders from the
//! alert, for receivers whose JSON (or text) shape no other format has.
//!
//! A template sees `alert` (the alert's JSON as every sink has it; a digest's JSON for a
//! digest), `alerts` (the single alerts it carries: itself, or every alert of the digest),
//! `digest` (whether it is one), `sink` (the sink's name) and `payload` (the alert's JSON as
//! one string). Every template is checked on a digest too: a digest watch or `max_per_minute`
//! sends one. `| json` writes a value as JSON, quotes included, so a JSON template
//! stays valid whatever a headline holds. Nothing is escaped unless the template says so, and
//! an undefined variable or attribute is an error, so a misspelt name shows at `check-config`.

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use minijinja::{Environment, UndefinedBehavior, Value, context};

/// A template read and compiled, ready to render.
#[derive(Debug)]
pub struct Template {
    env: Environment<'static>,
    path: PathBuf,
    /// Whether its output is declared JSON (and so must parse as JSON).
    json: bool,
}

impl Template {
    /// Read and compile the template at `path`; the error names the file and line.
    pub fn load(path: &Path, content_type: &str) -> Result<Template, String> {
        let source = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read template {}: {e}", path.display()))?;
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        env.set_keep_trailing_newline(true);
        env.add_filter("json", json);
        let name = path.display().to_string();
        env.add_template_owned(name.clone(), source)
            .map_err(|e| located(path, &e))?;
        let media = content_type.split(';').next().unwrap_or_default().trim();
        Ok(Template {
            env,
            path: path.to_path_buf(),
            json: media == "application/json" || media.ends_with("+json"),
        })
    }

    /// The body for an alert's (or a digest's) JSON.
    pub fn render(&self, sink: &str, payload: &str) -> Result<String, String> {
        let alert: serde_json::Value =
            serde_json::from_str(payload).map_err(|e| format!("the alert is not JSON ({e})"))?;
        let template = self
            .env
            .get_template(&self.path.display().to_string())
            .map_err(|e| located(&self.path, &e))?;
        let digest = super::super::digest::is_digest(&alert);
        let alerts = match (digest, alert["alerts"].as_array()) {
            (true, Some(alerts)) => alerts.clone(),
            _ => vec![alert.clone()],
        };
        let body = template
            .render(context! {
                alert => Value::from_serialize(&alert),
                alerts => Value::from_serialize(&alerts),
                digest => digest,
                sink => sink,
                payload => payload,
            })
            .map_err(|e| located(&self.path, &e))?;
        if self.json {
            if let Err(err) = serde_json::from_str::<serde_json::Value>(&body) {
                return Err(format!(
                    "template {} rendered invalid JSON ({err}); use | json for values",
                    self.path.display()
                ));
            }
        }
        Ok(body)
    }

    /// Render a sample alert (Arabic headline with quotes, Latin outlet) and a sample digest,
    /// as `check-config` and the daemon's start do.
    pub fn check(&self, sink: &str) -> Result<(), String> {
        let alert = sample_alert();
        self.render(sink, &alert)
            .map_err(|e| format!("{e} (rendering a sample alert)"))?;
        let until = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let digest = super::super::digest::digest("sample", until, &[&alert, &alert]);
        self.render(sink, &digest.payload)
            .map_err(|e| format!("{e} (rendering a sample digest)"))?;
        Ok(())
    }
}

/// `value | json`: the value as JSON text.
fn json(value: Value) -> Result<String, minijinja::Error> {
    serde_json::to_string(&value)
        .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string()))
}

/// A minijinja error as `template FILE, line N: what`.
fn located(path: &Path, err: &minijinja::Error) -> String {
    let what = match err.detail() {
        Some(detail) => format!("{}: {detail}", err.kind()),
        None => err.kind().to_string(),
    };
    match err.line() {
        Some(line) => format!("template {}, line {line}: {what}", path.display()),
        None => format!("template {}: {what}", path.display()),
    }
}

/// An alert as the pipeline writes one, with what breaks careless templates: quotes, a
/// backslash and Arabic in the headline, a URL with `&`.
pub fn sample_alert() -> String {
    serde_json::json!({
        "id": "0123456789abcdef0123456789abcdef",
        "watch": "sample",
        "severity": "high",
        "raised_at": "2026-01-01T09:00:00Z",
        "story": 1,
        "article": {
            "id": 1,
            "url": "https://example.org/news/1?a=1&b=2",
            "title": "حموشي يستقبل \"وفدا\" أمنيا \\ Hammouchi reçoit",
            "feed": "https://example.org/feed",
            "outlet": "Example",
            "published_at": "2026-01-01T10:00:00+01:00",
            "lang": "ar",
        },
        "matches": [{
            "term": "حموشي",
            "text": "حموشي",
            "field": "title",
            "snippet": "**حموشي** يستقبل",
        }],
        "other_outlets": ["Other outlet"],
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(source: &str, content_type: &str) -> Result<Template, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json.j2");
        std::fs::write(&path, source).unwrap();
        Template::load(&path, content_type)
    }

    #[test]
    fn a_json_template_stays_json_with_quotes_and_arabic() {
        let t = template(
            r#"{"text": {{ alerts[0].article.title | json }}, "digest": {{ digest | json }}}"#,
            "application/json",
        )
        .unwrap();
        let body = t.render("s", &sample_alert()).unwrap();
        let value: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            value["text"],
            "حموشي يستقبل \"وفدا\" أمنيا \\ Hammouchi reçoit"
        );
        assert_eq!(value["digest"], false);
        t.check("s").unwrap();
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let err = template("{\n\"a\": {{ alert.title\n", "text/plain").unwrap_err();
        assert!(err.contains("t.json.j2, line "), "{err}");
        let t = template("line one\n{{ alerts[0].artcle.title }}", "text/plain").unwrap();
        let err = t.check("s").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
        let unquoted = template(
            r#"{"text": "{{ alerts[0].article.title }}"}"#,
            "application/json",
        )
        .unwrap();
        assert!(unquoted.check("s").unwrap_err().contains("invalid JSON"));
    }
}
