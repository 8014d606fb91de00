//! What the tests share: a journal every stage writes to, and the stages that only record.

use std::sync::{Arc, Mutex};

use hearth::extract::FromRequestParts;
use hearth::lifecycle::{Close, Open, RequestLayer};
use hearth::prelude::*;
use hearth::testing::TestClient;
use http::request::Parts;

/// What ran, in order. One per application: a provider (guards, interceptors and filters get
/// it by DI), held by the middleware and layers, and put in each request's extensions by
/// [`Recorder`] (the extractors and handlers read it from there).
#[derive(Clone, Default)]
pub struct Journal(Arc<Mutex<Vec<String>>>);

impl Journal {
    /// Records a stage.
    pub fn record(&self, stage: impl Into<String>) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(stage.into());
    }

    /// What ran since the last call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// A middleware that records itself around the rest of the request, and hands the journal
/// to the stages after it.
pub struct Recorder(pub Journal);

impl Middleware for Recorder {
    async fn handle(&self, mut req: Request, next: Next) -> Response {
        self.0.record("middleware before");
        req.extensions_mut().insert(self.0.clone());
        let res = next.run(req).await;
        self.0.record("middleware after");
        res
    }
}

/// A request layer that records its open and close (it keeps a state, so it is closed).
pub struct RecordingLayer(pub Journal);

impl RequestLayer for RecordingLayer {
    type State = ();
    type Plan = ();

    fn plan(&self, _: &RouteInfo) -> Option<()> {
        Some(())
    }

    fn open(&self, _: &(), _: &mut Request) -> Open<()> {
        self.0.record("layer open");
        Open::Keep(Arc::new(()))
    }

    fn close(&self, _: Arc<()>, res: Response) -> Close {
        self.0.record("layer close");
        Close::Ready(res)
    }
}

/// A custom extractor that records itself (the journal comes from [`Recorder`]).
pub struct Probe;

impl FromRequestParts for Probe {
    type Rejection = HttpException;

    async fn from_request_parts(parts: &mut Parts) -> Result<Self, HttpException> {
        let journal = parts.extensions.get::<Journal>().cloned();
        let journal = journal.ok_or_else(|| InternalServerErrorException::new("no journal"))?;
        if parts.headers.contains_key("x-reject") {
            journal.record("extractor rejects");
            return Err(BadRequestException::new("rejected by the extractor"));
        }
        journal.record("extractor");
        Ok(Probe)
    }
}

/// An application around `root`, with the journal provided to every module and recorded by
/// a middleware.
pub async fn client(journal: &Journal, root: ModuleDef) -> TestClient {
    let app = Application::from_module(root.provider(Provider::value(journal.clone())))
        .unwrap_or_else(|e| panic!("{e}"))
        .use_middleware(Recorder(journal.clone()));
    TestClient::new(app).await.unwrap_or_else(|e| panic!("{e}"))
}

/// The start-up error of an application, as text.
pub async fn startup_error(root: ModuleDef) -> String {
    match Application::from_module(root) {
        Err(e) => e.to_string(),
        Ok(app) => match app.build().await {
            Err(e) => e.to_string(),
            Ok(_) => panic!("the application started"),
        },
    }
}

/// Defines injectable guards that record `name` and allow, each given the journal by DI.
#[macro_export]
macro_rules! recording_guards {
    ($($ty:ident => $name:literal),* $(,)?) => {$(
        #[injectable]
        pub struct $ty {
            journal: Arc<$crate::support::Journal>,
        }

        impl Guard for $ty {
            async fn can_activate(&self, _: &mut Request, _: &RouteInfo) -> HttpResult<bool> {
                self.journal.record(concat!("guard: ", $name));
                Ok(true)
            }
        }
    )*};
}

/// Defines injectable interceptors that record `name` before and after the rest.
#[macro_export]
macro_rules! recording_interceptors {
    ($($ty:ident => $name:literal),* $(,)?) => {$(
        #[injectable]
        pub struct $ty {
            journal: Arc<$crate::support::Journal>,
        }

        impl Interceptor for $ty {
            async fn intercept(&self, req: Request, next: CallHandler) -> Response {
                self.journal.record(concat!("interceptor before: ", $name));
                let res = next.handle(req).await;
                self.journal.record(concat!("interceptor after: ", $name));
                res
            }
        }
    )*};
}

/// Defines injectable exception filters that record `name` and pass the exception on.
#[macro_export]
macro_rules! recording_filters {
    ($($ty:ident => $name:literal),* $(,)?) => {$(
        #[injectable]
        pub struct $ty {
            journal: Arc<$crate::support::Journal>,
        }

        impl ExceptionFilter for $ty {
            fn catch(&self, _: &HttpException, _: &FilterContext<'_>) -> Option<Response> {
                self.journal.record(concat!("filter: ", $name));
                None
            }
        }
    )*};
}
