//! The API's answers: JSON bodies, and its errors as JSON naming what was wrong.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::store::StoreError;

/// Why a request was not answered.
#[derive(Debug)]
pub(super) enum Refusal {
    /// A query parameter that cannot be read (400).
    Parameter { name: String, why: String },
    /// No such article, story or watch (404).
    NotFound(String),
    /// The database did not answer (503): the daemon goes on.
    Database(StoreError),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Body<'a> {
            error: String,
            #[serde(skip_serializing_if = "Option::is_none")]
            parameter: Option<&'a str>,
        }
        let (status, error, parameter) = match &self {
            Refusal::Parameter { name, why } => (
                StatusCode::BAD_REQUEST,
                format!("parameter {name:?}: {why}"),
                Some(name.as_str()),
            ),
            Refusal::NotFound(what) => (StatusCode::NOT_FOUND, format!("no {what}"), None),
            Refusal::Database(err) => {
                tracing::warn!(error = %err, "an API read failed");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("database: {err}"),
                    None,
                )
            }
        };
        json(status, &Body { error, parameter })
    }
}

impl From<StoreError> for Refusal {
    fn from(err: StoreError) -> Refusal {
        Refusal::Database(err)
    }
}

pub(super) fn json(status: StatusCode, body: &impl Serialize) -> Response {
    match serde_json::to_string(body) {
        Ok(text) => (
            status,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            text,
        )
            .into_response(),
        Err(err) => (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()).into_response(),
    }
}

pub(super) fn ok(body: &impl Serialize) -> Result<Response, Refusal> {
    Ok(json(StatusCode::OK, body))
}
