//! Stand-ins for three of progenitor-client's helpers, which `build/rewrite.rs` writes into
//! the generated client in their place. Each gives the same result as the helper it replaces,
//! and the request on the wire is the same; they differ only in cost, which matters because
//! every call of every operation goes through them:
//!
//! * [`from_response`] for `ResponseValue::from_response`: it moves the response's headers
//!   out instead of cloning them, and reads the body a chunk at a time. Its future is about
//!   half the size of the helper's (528 bytes against 944), and every call's future holds
//!   one. A body of many chunks is copied once into a buffer of its length, where the helper
//!   keeps the chunks and then copies them: a large body of known length peaks at its size,
//!   not twice it.
//! * [`empty`] for `ResponseValue::empty`: it moves the headers out instead of cloning them.
//! * [`PathSegment`] for `encode_path(&value.to_string())` in the `format!` that builds a
//!   URL: it percent-encodes the value straight into the URL, with the helper's set of
//!   characters. The helper copies the value into one `String` and encodes it into another.
//!
//! The generated code depends on this module and on [`crate::hooks`], and on nothing else
//! that is written by hand.

use std::{fmt, mem};

use bytes::{Bytes, BytesMut};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use progenitor_client::{Error, ResponseValue};
use serde::de::DeserializeOwned;

/// The most [`from_response`] reserves up front for a body from its `Content-Length`, so that
/// a length that lies cannot make it allocate without bound. Longer bodies grow as they come.
const MAX_RESERVE: u64 = 128 << 20;

/// Decodes a JSON response: `ResponseValue::from_response`, without copying the headers.
///
/// A body that cannot be read is `Error::ResponseBodyError` (with the response's URL, as
/// reqwest's `bytes()` gives it), and one that is not the expected JSON is
/// `Error::InvalidResponsePayload` with the body, as with the helper.
pub(crate) async fn from_response<T: DeserializeOwned, E>(
    mut response: reqwest::Response,
) -> Result<ResponseValue<T>, Error<E>> {
    let status = response.status();
    let headers = mem::take(response.headers_mut());
    let body = match whole_body(&mut response).await {
        Ok(body) => body,
        Err(e) => {
            return Err(Error::ResponseBodyError(e.with_url(response.url().clone())));
        }
    };
    match serde_json::from_slice(&body) {
        Ok(inner) => Ok(ResponseValue::new(inner, status, headers)),
        Err(e) => Err(Error::InvalidResponsePayload(body, e)),
    }
}

/// A response without a body: `ResponseValue::empty`, without copying the headers.
pub(crate) fn empty(mut response: reqwest::Response) -> ResponseValue<()> {
    let status = response.status();
    let headers = mem::take(response.headers_mut());
    ResponseValue::new((), status, headers)
}

/// The whole body. A body that comes in one chunk (most do) is that chunk, not a copy.
async fn whole_body(response: &mut reqwest::Response) -> reqwest::Result<Bytes> {
    let Some(first) = response.chunk().await? else {
        return Ok(Bytes::new());
    };
    let Some(second) = response.chunk().await? else {
        return Ok(first);
    };
    // What is left, when the length is known: one allocation instead of doubling.
    let rest = response.content_length().unwrap_or(0).min(MAX_RESERVE);
    let mut body = BytesMut::with_capacity(first.len() + second.len() + rest as usize);
    body.extend_from_slice(&first);
    body.extend_from_slice(&second);
    drop((first, second));
    while let Some(chunk) = response.chunk().await? {
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// What `progenitor_client::encode_path` percent-encodes in a path segment besides controls
/// (and every byte of a character that is not ASCII).
const PATH_EXTRA: &[u8] = b" \"#<>?`{}/%";

/// [`PATH_EXTRA`] and the controls, as `percent_encoding` takes them.
const PATH_SET: &AsciiSet = &{
    let mut set = CONTROLS.add(PATH_EXTRA[0]);
    let mut i = 1;
    while i < PATH_EXTRA.len() {
        set = set.add(PATH_EXTRA[i]);
        i += 1;
    }
    set
};

/// Whether each byte is percent-encoded: [`PATH_SET`] and every byte that is not ASCII.
const ENCODED: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        // The controls are 0x00 to 0x1F and 0x7F.
        table[byte] = byte < 0x20 || byte >= 0x7f;
        byte += 1;
    }
    let mut i = 0;
    while i < PATH_EXTRA.len() {
        table[PATH_EXTRA[i] as usize] = true;
        i += 1;
    }
    table
};

/// A value shown as one percent-encoded path segment: `format!("{}", PathSegment(&id))` is
/// `encode_path(&id.to_string())`, written straight into the URL.
pub(crate) struct PathSegment<'a, T: ?Sized>(pub(crate) &'a T);

impl<T: fmt::Display + ?Sized> fmt::Display for PathSegment<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        /// Percent-encodes what the value writes, piece by piece: the encoding is byte by
        /// byte, so encoding the pieces is encoding the whole.
        struct Encode<'a, 'b>(&'a mut fmt::Formatter<'b>);

        impl fmt::Write for Encode<'_, '_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                // Ids need no encoding: one look at each byte, and the text is written whole.
                if !s.bytes().any(|b| ENCODED[usize::from(b)]) {
                    return self.0.write_str(s);
                }
                utf8_percent_encode(s, PATH_SET).try_for_each(|part| self.0.write_str(part))
            }
        }

        fmt::write(&mut Encode(f), format_args!("{}", self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_segment_is_encoded_as_progenitor_encodes_it() {
        let awkward = [
            "642ea7ff7639ab670b05a0b5",
            "",
            "a/b",
            "../..",
            "50%",
            "a b?c#d",
            "{x}<y>`\"",
            "é\u{1F600}",
            "tab\there\u{7f}",
            "keep-._~!$&'()*+,;=:@",
        ];
        for value in awkward {
            assert_eq!(
                PathSegment(value).to_string(),
                progenitor_client::encode_path(value),
                "{value:?}"
            );
        }
        // Every character of one byte, alone and between others.
        for byte in 0..=0x7fu8 {
            for value in [
                char::from(byte).to_string(),
                format!("a{}b", char::from(byte)),
            ] {
                assert_eq!(
                    PathSegment(&value).to_string(),
                    progenitor_client::encode_path(&value),
                    "{value:?}"
                );
            }
        }
        // A value that is not a string goes through its `Display`, as `to_string()` did.
        assert_eq!(PathSegment(&42u64).to_string(), "42");
    }

    /// A 201 with one header, whose body comes in `chunks`.
    fn response(chunks: &[&'static [u8]]) -> reqwest::Response {
        let frames: Vec<_> = chunks
            .iter()
            .map(|c| Ok::<_, std::io::Error>(http_body::Frame::data(Bytes::from_static(c))))
            .collect();
        let body = http_body_util::StreamBody::new(futures_util::stream::iter(frames));
        http::Response::builder()
            .status(201)
            .header("x-request-id", "r1")
            .body(reqwest::Body::wrap(body))
            .unwrap()
            .into()
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Thing {
        a: u32,
    }

    #[tokio::test]
    async fn from_response_keeps_status_headers_and_value() {
        for chunks in [
            &[&b"{\"a\": 7}"[..]][..],
            &[b"{\"a\"", b": 7}"],
            &[b"{", b"\"a\"", b": ", b"7}"],
        ] {
            let value = from_response::<Thing, ()>(response(chunks)).await.unwrap();
            assert_eq!(value.status(), 201);
            assert_eq!(value.headers()["x-request-id"], "r1");
            assert_eq!(value.into_inner(), Thing { a: 7 });
        }
    }

    #[tokio::test]
    async fn a_body_that_is_not_the_json_expected_is_kept_whole() {
        let err = from_response::<Thing, ()>(response(&[b"<html>", b"oops", b"</html>"]))
            .await
            .unwrap_err();
        let Error::InvalidResponsePayload(body, _) = err else {
            panic!("{err:?}")
        };
        assert_eq!(&body[..], b"<html>oops</html>");
    }

    #[tokio::test]
    async fn a_body_cut_short_is_a_body_error() {
        let frames = vec![
            Ok(http_body::Frame::data(Bytes::from_static(b"{\"a\""))),
            Err(std::io::Error::other("reset")),
        ];
        let body = http_body_util::StreamBody::new(futures_util::stream::iter(frames));
        let response: reqwest::Response = http::Response::new(reqwest::Body::wrap(body)).into();
        let err = from_response::<Thing, ()>(response).await.unwrap_err();
        let Error::ResponseBodyError(e) = err else {
            panic!("{err:?}")
        };
        // As reqwest's `bytes()` reports it: with the URL.
        assert!(e.is_body() || e.is_decode(), "{e:?}");
        assert!(e.url().is_some(), "{e:?}");
    }

    #[test]
    fn empty_keeps_status_and_headers() {
        let value = empty(response(&[]));
        assert_eq!(value.status(), 201);
        assert_eq!(value.headers()["x-request-id"], "r1");
    }
}
