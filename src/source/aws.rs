//! What the S3, Athena and STS calls share: the SDK configuration of a profile's access
//! (region, named profile, endpoint, assumed role), the one classifier of the SDK's errors
//! (credentials, unreachable, or the service's answer), and STS `GetCallerIdentity` for
//! `doctor`. No credential ever leaves this module in a message: only AWS's error code and
//! message, the HTTP status and the request id.

use aws_config::{BehaviorVersion, Region};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::RequestId;

use crate::config::AwsAccess;

/// The SDK's configuration for a profile's access: region (profile, then the standard chain,
/// then us-east-1), named AWS profile, endpoint, retries and read timeout, and the assumed
/// role with its external id.
pub(crate) async fn sdk_config(access: &AwsAccess) -> aws_config::SdkConfig {
    // The loader's own region chain (environment, profile, instance metadata) runs with the
    // loader's HTTP client; a region named by the profile comes first, us-east-1 last.
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(https_client());
    if let Some(region) = &access.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(p) = &access.profile {
        loader = loader.profile_name(p);
    }
    if let Some(url) = &access.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    // Standard retries (backoff; throttling, 5xx and dropped connections) and the read timeout
    // the profile asks for; the SDK's defaults otherwise.
    if let Some(n) = access.max_attempts {
        loader =
            loader.retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(n));
    }
    if let Some(secs) = access.read_timeout {
        loader = loader.timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .read_timeout(std::time::Duration::from_secs(u64::from(secs)))
                .build(),
        );
    }
    let mut base = loader.load().await;
    if base.region().is_none() {
        base = base
            .into_builder()
            .region(Region::from_static("us-east-1"))
            .build();
    }
    match &access.role_arn {
        Some(role) => {
            let mut provider = aws_config::sts::AssumeRoleProvider::builder(role)
                .session_name("curtop")
                .configure(&base);
            if let Some(id) = &access.external_id {
                provider = provider.external_id(id);
            }
            let provider = provider.build().await;
            base.into_builder()
                .credentials_provider(aws_sdk_s3::config::SharedCredentialsProvider::new(provider))
                .build()
        }
        None => base,
    }
}

/// The HTTPS client every call goes through (the credential providers' too): rustls with
/// ring, the system's root certificates; plain HTTP for an `http://` endpoint. The SDK is
/// built without a default client, so any SDK config (tests' too) must be given this one.
pub fn https_client() -> aws_sdk_s3::config::SharedHttpClient {
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// Why an SDK call failed, as every source needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// No usable credentials (the chain found none, or failed before the request).
    NoCredentials,
    /// The endpoint did not answer (network, DNS, a malformed endpoint).
    Unreachable,
    /// The request was sent but no answer came within the read timeout, on every try.
    TimedOut,
    /// The answer broke off mid-body (a connection reset), and resuming it failed too.
    Interrupted,
    /// The service answered with an error.
    Service,
}

/// A failed SDK call, classified once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub kind: FaultKind,
    /// AWS's error code (`AccessDenied`, `NoSuchBucket`, …).
    pub code: Option<String>,
    /// AWS's message, or for a call that got no answer the error chain.
    pub message: Option<String>,
    pub status: Option<u16>,
    pub request_id: Option<String>,
    /// A header of the service's response the caller asked for (S3's `x-amz-bucket-region`).
    pub header: Option<String>,
    /// The error and its sources, one line.
    pub chain: String,
}

/// Classifies an SDK error. `header` names a response header to keep (or "").
pub(crate) fn classify<E, R>(e: &SdkError<E, R>, header: &str) -> Fault
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
    SdkError<E, R>: RequestId,
{
    let chain = error_chain(e);
    let (kind, status, header) = match e {
        SdkError::ServiceError(se) => {
            let raw = format!("{:?}", se.raw());
            let header = (!header.is_empty())
                .then(|| header_of(&raw, header))
                .flatten();
            (FaultKind::Service, status_of(&raw), header)
        }
        // A dispatch failure can also be the credentials chain failing before the request.
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
            if chain.contains("credentials") {
                (FaultKind::NoCredentials, None, None)
            } else if chain.contains("timeout") || chain.contains("timed out") {
                (FaultKind::TimedOut, None, None)
            } else {
                (FaultKind::Unreachable, None, None)
            }
        }
        // The answer started and broke off (the SDK already retried it).
        SdkError::ResponseError(_) if chain.contains("connection") || chain.contains("body") => {
            (FaultKind::Interrupted, None, None)
        }
        SdkError::ResponseError(_) => (FaultKind::Service, None, None),
        SdkError::ConstructionFailure(_) if chain.contains("endpoint") => {
            (FaultKind::Unreachable, None, None)
        }
        _ if chain.contains("credential") => (FaultKind::NoCredentials, None, None),
        _ => (FaultKind::Service, None, None),
    };
    Fault {
        kind,
        code: e.code().map(str::to_string),
        message: e
            .message()
            .map(|m| crate::untrusted::redact_urls(m).into_owned())
            .or_else(|| (kind != FaultKind::Service).then(|| chain.clone())),
        status,
        request_id: e.request_id().map(str::to_string),
        header,
        chain,
    }
}

/// An error and its sources, one line; a password in a URL it names (the endpoint) redacted.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    crate::untrusted::redact_urls(&out).into_owned()
}

/// The HTTP status from a raw response's debug form (the response type is the SDK's own).
pub(crate) fn status_of(raw: &str) -> Option<u16> {
    let at = raw.find("status: ")? + "status: ".len();
    let digits: String = raw[at..]
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn header_of(raw: &str, name: &str) -> Option<String> {
    let at = raw.find(&format!("\"{name}\""))? + name.len() + 2;
    let rest = &raw[at..];
    let start = rest.find('"')? + 1;
    let end = rest[start..].find('"')? + start;
    Some(rest[start..end].to_string())
}

/// `account …, principal …` of the access's credentials, via STS `GetCallerIdentity` (with
/// the access's role when it names one). The error is the classified fault of the call.
pub fn caller_identity(access: &AwsAccess) -> Result<String, Box<Fault>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Box::new(Fault {
                kind: FaultKind::Unreachable,
                code: None,
                message: Some(e.to_string()),
                status: None,
                request_id: None,
                header: None,
                chain: e.to_string(),
            })
        })?;
    rt.block_on(async {
        let config = sdk_config(access).await;
        let sts = aws_sdk_sts::Client::new(&config);
        match sts.get_caller_identity().send().await {
            Ok(out) => Ok(format!(
                "account {}, principal {}",
                out.account().unwrap_or("?"),
                out.arn().unwrap_or("?")
            )),
            Err(e) => Err(Box::new(classify(&e, ""))),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_responses_give_status_and_region() {
        let raw = r#"Response { status: StatusCode(301), headers: Headers { headers: {"x-amz-bucket-region": HeaderValue { _private: H0("eu-west-1") }} } }"#;
        assert_eq!(status_of(raw), Some(301));
        assert_eq!(
            header_of(raw, "x-amz-bucket-region").as_deref(),
            Some("eu-west-1")
        );
        assert_eq!(status_of("no status"), None);
    }
}
