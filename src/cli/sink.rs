//! `test-sink NAME`: one sample alert through one configured sink, by the code the daemon
//! delivers with, and what became of it.

use std::path::Path;
use std::process::ExitCode;

use raqib::alert::sample;
use raqib::alert::sink::Sink;

use super::{CHECK_INVALID, load_config, runtime};

pub fn test_sink_command(config_path: &Path, name: &str) -> anyhow::Result<ExitCode> {
    let config = match load_config(config_path) {
        Ok(config) => config,
        Err(code) => return Ok(code),
    };
    let Some(configured) = config.sinks.iter().find(|s| s.name == name) else {
        let names: Vec<&str> = config.sinks.iter().map(|s| s.name.as_str()).collect();
        if names.is_empty() {
            eprintln!(
                "raqib: no sink named {name:?}: {} configures no sink",
                config_path.display()
            );
        } else {
            eprintln!(
                "raqib: no sink named {name:?}; configured sinks: {}",
                names.join(", ")
            );
        }
        return Ok(ExitCode::from(CHECK_INVALID));
    };
    let sink = match Sink::new(configured) {
        Ok(sink) => sink,
        Err(err) => {
            eprintln!("raqib: {err}");
            return Ok(ExitCode::from(CHECK_INVALID));
        }
    };
    let alert = sample::alert();
    let result = runtime()?.block_on(sink.deliver(&alert.uid, &alert.payload));
    match result {
        Ok(()) => {
            println!("sink {name}: delivered the sample alert {}", alert.uid);
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            let fate = if err.is_permanent() {
                "refused: the daemon would mark such a delivery dead".to_string()
            } else if let Some(wait) = err.retry_after() {
                format!(
                    "not now: the daemon would try again in {}",
                    humantime::format_duration(wait)
                )
            } else {
                "failed: the daemon would try again later".to_string()
            };
            eprintln!(
                "raqib: sample alert {} not delivered ({fate})\n{err}",
                alert.uid
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
