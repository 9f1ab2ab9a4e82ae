//! A PostgreSQL URL as the connection will read it: checked when the config is read, shown
//! without its password in every message and log.

/// What a `postgres://` or `postgresql://` URL says, once its syntax is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlFacts {
    /// The URL carries a password itself (in its user part or as `?password=`).
    pub has_password: bool,
}

/// Whether `url` names a PostgreSQL database raqib can connect to, as the connection will
/// read it; the reason otherwise (without the URL, which may hold a password).
pub fn inspect_url(url: &str) -> std::result::Result<UrlFacts, String> {
    let config = connection_config(url)?;
    if config.get_hosts().is_empty() {
        return Err("names no host; write e.g. postgres://raqib@db.example.org:5432/raqib".into());
    }
    if config.get_ssl_mode() == tokio_postgres::config::SslMode::Require {
        return Err(
            "sslmode=require: raqib does not speak TLS to PostgreSQL yet; reach the server on a private network or a Unix socket".into(),
        );
    }
    Ok(UrlFacts {
        has_password: config.get_password().is_some(),
    })
}

/// The connection settings `url` names, as tokio-postgres reads them.
pub fn connection_config(url: &str) -> std::result::Result<tokio_postgres::Config, String> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err("must start with postgres:// or postgresql://".into());
    }
    url.parse::<tokio_postgres::Config>()
        .map_err(|err| format!("is not a PostgreSQL URL ({err})"))
}

/// `url` with its password replaced by `***`, for messages and logs.
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            let kept: Vec<(String, String)> = parsed
                .query_pairs()
                .filter(|(key, _)| key != "password")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            parsed.set_query(None);
            if !kept.is_empty() {
                parsed.query_pairs_mut().extend_pairs(kept);
            }
            parsed.to_string()
        }
        // What the URL parser refuses, the connection may still read: the user part (where a
        // password would be) is left out.
        Err(_) => match url.split_once("://") {
            Some((scheme, rest)) => {
                let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
                let host = host.split_once('?').map_or(host, |(host, _)| host);
                format!("{scheme}://…@{host}")
            }
            None => "(not a URL)".to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_inspected_as_the_connection_reads_them() {
        for url in [
            "postgres://raqib@db.example.org:5432/raqib",
            "postgresql://raqib@db.example.org/raqib",
            "postgres://raqib@%2Frun%2Fpostgresql/raqib",
        ] {
            assert_eq!(
                inspect_url(url),
                Ok(UrlFacts {
                    has_password: false
                }),
                "{url}"
            );
        }
        for url in [
            "postgres://raqib:s3cret@db.example.org/raqib",
            "postgres://raqib@db.example.org/raqib?password=s3cret",
        ] {
            assert_eq!(
                inspect_url(url),
                Ok(UrlFacts { has_password: true }),
                "{url}"
            );
        }
        let refused = |url: &str| inspect_url(url).unwrap_err();
        assert!(refused("mysql://x@h/db").contains("postgres://"));
        assert!(refused("postgres:///raqib").contains("names no host"));
        assert!(refused("postgres://h/db?sslmode=require").contains("TLS"));
        assert!(refused("postgres://h/db?sslmode=bogus").contains("not a PostgreSQL URL"));
    }

    #[test]
    fn a_password_never_reaches_a_message() {
        assert_eq!(
            redacted("postgres://raqib:s3cret@[bad/db?password=p2"),
            "postgres://…@[bad/db"
        );
        assert_eq!(
            redacted("postgres://raqib:s3cret@h:5432/db?password=p2&sslmode=disable"),
            "postgres://raqib:***@h:5432/db?sslmode=disable"
        );
    }
}
