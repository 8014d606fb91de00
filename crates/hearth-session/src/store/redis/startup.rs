//! The start-up check: connect, `PING`, and either fail start-up or warn
//! ([`StartupCheck`]), with an error that names the fix.

use super::{RedisSessionStore, StartupCheck};
use crate::store::StoreError;

impl RedisSessionStore {
    /// Connects (opening the pool's connections) and checks that Redis answers. The session
    /// module runs this when the application starts; with [`StartupCheck::Warn`] a failure
    /// is logged and `Ok` returned, with [`StartupCheck::Fail`] it is an error naming the URL.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.inner.pool.warm_up(1).await.map_err(|e| {
            let cause = e.source_text();
            let fix = if cause.contains("CertificateRequired") {
                "the server asks for a client certificate (mutual TLS): set \
                 RedisOptions::tls_client_cert_pem and tls_client_key_pem"
            } else if cause.contains("certificate") {
                "the server's certificate must name this host and be signed by a trusted CA: \
                 one of Mozilla's root CAs, or the one in RedisOptions::tls_ca_pem"
            } else {
                "start Redis or fix RedisOptions"
            };
            StoreError::unavailable(format!(
                "cannot reach Redis at {}: {cause}; {fix}",
                self.inner.pool.url(),
            ))
        })
    }

    /// The check [`SessionModule`](crate::SessionModule) runs at start-up: [`ping`](Self::ping),
    /// then an error or a warning as the options' [`StartupCheck`] says.
    pub(super) async fn startup_check(&self) -> Result<(), StoreError> {
        match self.ping().await {
            Ok(()) => Ok(()),
            Err(e) if self.inner.startup == StartupCheck::Warn => {
                tracing::warn!(
                    error = %e,
                    "session store: Redis is unreachable at start-up; session requests get 503 until it answers"
                );
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

impl StoreError {
    /// The message of an `Unavailable`/`Other` error without its prefix.
    fn source_text(&self) -> String {
        match self {
            StoreError::Unavailable(e) | StoreError::Other(e) | StoreError::Serialization(e) => {
                e.to_string()
            }
            other => other.to_string(),
        }
    }
}
