//! Faults read from text: a [`Fault`] (`status=503`, `throttled=8s`, ...) and a [`FaultSpec`]
//! (`OPERATION:KIND[:COUNT]`), as `fake_server --fault` and the control endpoint take them.

use std::{fmt, str::FromStr, time::Duration};

use super::Fault;
use crate::Operation;

/// Reads a fault's kind: `status=NNN`, `rate-limited`, `rate-limited=SECONDS`,
/// `throttled=DURATION` (`8s`, `500ms`, or a number of seconds), `delay=MS`, `drop`,
/// `truncated` or `html=NNN` (a status between 200 and 599).
///
/// ```
/// use std::time::Duration;
/// use prolific::fake::Fault;
///
/// assert_eq!("status=503".parse(), Fault::status(503));
/// assert_eq!("delay=250".parse(), Ok(Fault::delay(Duration::from_millis(250))));
/// assert_eq!("throttled=8s".parse(), Ok(Fault::throttled(Duration::from_secs(8))));
/// assert!("status=99".parse::<Fault>().is_err());
/// ```
impl FromStr for Fault {
    type Err = ParseFaultError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, value) = match text.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (text, None),
        };
        match (name, value) {
            ("status", Some(status)) => Fault::status(parse_number(status, "an HTTP status")?),
            ("html", Some(status)) => Fault::non_json(parse_number(status, "an HTTP status")?),
            ("rate-limited", None) => Ok(Fault::rate_limited(None)),
            ("rate-limited", Some(seconds)) => Ok(Fault::rate_limited_after_secs(parse_number(
                seconds,
                "a number of seconds",
            )?)),
            ("throttled", Some(duration)) => Ok(Fault::throttled(parse_duration(duration)?)),
            ("delay", Some(ms)) => Ok(Fault::delay(Duration::from_millis(parse_number(
                ms,
                "a number of milliseconds",
            )?))),
            ("drop", None) => Ok(Fault::drop_connection()),
            ("truncated", None) => Ok(Fault::truncated_body()),
            _ => Err(ParseFaultError::new(format!(
                "unknown fault {text:?}: expected status=NNN, rate-limited[=SECONDS], \
                 throttled=DURATION, delay=MS, drop, truncated or html=NNN"
            ))),
        }
    }
}

fn parse_number<T: FromStr>(text: &str, what: &str) -> Result<T, ParseFaultError> {
    text.parse()
        .map_err(|_| ParseFaultError::new(format!("{text:?} is not {what}")))
}

/// `8s`, `500ms`, or `8` (seconds).
fn parse_duration(text: &str) -> Result<Duration, ParseFaultError> {
    let duration = match text.strip_suffix("ms") {
        Some(ms) => ms.parse().map(Duration::from_millis),
        None => (text.strip_suffix('s').unwrap_or(text).parse()).map(Duration::from_secs),
    };
    duration.map_err(|_| {
        ParseFaultError::new(format!("{text:?} is not a duration such as 8s or 500ms"))
    })
}

/// Faults for the next requests of one operation, or of any: what the standalone server's
/// `--fault OPERATION:KIND[:COUNT]` and its control endpoint take, and
/// [`FakeProlific::inject_spec`](crate::fake::FakeProlific::inject_spec) injects.
///
/// `OPERATION` is an `operationId` such as `create_participant_group`
/// ([`Operation::operation_id`]), or `any` for every request; `KIND` is read as a [`Fault`]
/// is; `COUNT`, how many requests meet the fault, is 1 when left out. A throttle
/// (`throttled=8s`) lasts for its time instead and takes no `COUNT`.
///
/// ```
/// use prolific::fake::{Fault, FaultSpec, Operation};
///
/// let spec: FaultSpec = "create_participant_group:status=503:2".parse().unwrap();
/// assert_eq!(spec.operation, Some(Operation::CreateGroup));
/// assert_eq!(spec.fault, Fault::status(503).unwrap());
/// assert_eq!(spec.count, 2);
///
/// let spec: FaultSpec = "any:drop".parse().unwrap();
/// assert_eq!((spec.operation, spec.count), (None, 1));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FaultSpec {
    /// The operation whose requests meet the fault; `None` for any request.
    pub operation: Option<Operation>,
    /// What they meet.
    pub fault: Fault,
    /// How many requests meet it (not used by a throttle, which lasts for its time).
    pub count: usize,
}

impl FaultSpec {
    /// `count` requests of `operation` (`None`: any request) meet `fault`.
    pub fn new(operation: Option<Operation>, fault: Fault, count: usize) -> Self {
        FaultSpec {
            operation,
            fault,
            count,
        }
    }

    /// A spec from its parts as text gives them: `operation` an `operationId` or `any`,
    /// `kind` a fault, `count` at least 1 (and none for a throttle). The one check for
    /// `--fault` and the control endpoint.
    pub(crate) fn from_parts(
        operation: &str,
        kind: &str,
        count: Option<usize>,
    ) -> Result<Self, ParseFaultError> {
        let operation = parse_operation(operation)?;
        let fault: Fault = kind.parse()?;
        let count = match (count, fault.throttle()) {
            (Some(_), Some(_)) => {
                return Err(ParseFaultError::new(
                    "a throttle lasts for its time, not a count of requests: leave the count out",
                ));
            }
            (Some(0), None) => {
                return Err(ParseFaultError::new("a fault's count must be at least 1"));
            }
            (count, _) => count.unwrap_or(1),
        };
        Ok(FaultSpec::new(operation, fault, count))
    }
}

impl FromStr for FaultSpec {
    type Err = ParseFaultError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut parts = text.split(':');
        let (Some(operation), Some(kind), count, None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(ParseFaultError::new(format!(
                "{text:?} is not OPERATION:KIND[:COUNT], such as create_participant_group:status=503:2"
            )));
        };
        let count = count.map(|c| parse_number(c, "a count")).transpose()?;
        FaultSpec::from_parts(operation, kind, count)
    }
}

/// `any` (`None`) or an `operationId`.
fn parse_operation(text: &str) -> Result<Option<Operation>, ParseFaultError> {
    if text == "any" {
        return Ok(None);
    }
    Operation::from_operation_id(text).map(Some).ok_or_else(|| {
        let known: Vec<&str> = Operation::ALL.iter().map(|o| o.operation_id()).collect();
        ParseFaultError::new(format!(
            "unknown operation {text:?}: expected any or one of {}",
            known.join(", ")
        ))
    })
}

/// Why a [`Fault`] or a [`FaultSpec`] could not be made: text that is not one, or a status
/// the fake cannot answer with a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseFaultError {
    message: String,
}

impl ParseFaultError {
    pub(super) fn new(message: impl Into<String>) -> Self {
        ParseFaultError {
            message: message.into(),
        }
    }
}

impl fmt::Display for ParseFaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseFaultError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_specs_are_read_from_text() {
        let spec = |text: &str| text.parse::<FaultSpec>();
        assert_eq!(
            spec("create_participant_group:status=503"),
            Ok(FaultSpec::new(
                Some(Operation::CreateGroup),
                Fault::status(503).unwrap(),
                1
            ))
        );
        assert_eq!(
            spec("any:rate-limited=3:4"),
            Ok(FaultSpec::new(None, Fault::rate_limited_after_secs(3), 4))
        );
        assert_eq!(
            spec("list_participant_groups:rate-limited").map(|s| s.fault),
            Ok(Fault::rate_limited(None))
        );
        assert_eq!(
            spec("add_participant_group_members:delay=1500:2").map(|s| s.fault),
            Ok(Fault::delay(Duration::from_millis(1500)))
        );
        assert_eq!(
            spec("any:drop").map(|s| s.fault),
            Ok(Fault::drop_connection())
        );
        assert_eq!(
            spec("any:truncated").map(|s| s.fault),
            Ok(Fault::truncated_body())
        );
        assert_eq!(
            spec("get_participant_group:html=502:10"),
            Ok(FaultSpec::new(
                Some(Operation::GetGroup),
                Fault::non_json(502).unwrap(),
                10
            ))
        );
        let throttled = |d| Ok(Fault::throttled(d));
        assert_eq!(
            spec("any:throttled=8s").map(|s| s.fault),
            throttled(Duration::from_secs(8))
        );
        assert_eq!(
            spec("add_participant_group_members:throttled=1500ms").map(|s| s.fault),
            throttled(Duration::from_millis(1500))
        );
        assert_eq!(
            spec("any:throttled=3").map(|s| s.fault),
            throttled(Duration::from_secs(3))
        );
    }

    #[test]
    fn bad_fault_specs_say_what_is_wrong() {
        let error = |text: &str| text.parse::<FaultSpec>().unwrap_err().to_string();
        assert!(error("status=503").contains("OPERATION:KIND[:COUNT]"));
        assert!(error("any:status=503:1:2").contains("OPERATION:KIND[:COUNT]"));
        assert!(error("create_group:drop").contains("unknown operation \"create_group\""));
        assert!(error("any:explode").contains("unknown fault \"explode\""));
        assert!(error("any:drop=1").contains("unknown fault"));
        assert!(error("any:status").contains("unknown fault"));
        assert!(error("any:status=abc").contains("\"abc\" is not an HTTP status"));
        assert_eq!(
            error("any:html=700"),
            "a fault's status must be between 200 and 599, not 700"
        );
        assert!(error("any:delay=-5").contains("milliseconds"));
        assert!(error("any:drop:x").contains("\"x\" is not a count"));
        assert_eq!(error("any:drop:0"), "a fault's count must be at least 1");
        assert_eq!(
            error("any:throttled=8s:2"),
            "a throttle lasts for its time, not a count of requests: leave the count out"
        );
        assert!(error("any:throttled=soon").contains("\"soon\" is not a duration"));
    }

    #[test]
    fn the_constructors_refuse_what_the_parser_refuses() {
        for status in [99, 101, 199, 600, 1000] {
            let parsed = format!("status={status}").parse::<Fault>();
            assert_eq!(Fault::status(status), parsed, "{status}");
            assert!(parsed.is_err(), "{status}");
            assert_eq!(Fault::non_json(status), format!("html={status}").parse());
        }
        assert!(Fault::status(200).is_ok() && Fault::non_json(599).is_ok());
    }
}
