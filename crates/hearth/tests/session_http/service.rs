//! SessionService, typed sessions, middleware access, DI and start-up errors.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use hearth::prelude::*;
use hearth::session::StoreConfig;

use crate::support::*;

#[tokio::test]
async fn log_out_everywhere() {
    let app = start(options()).await;
    let a = app.login("carol", None).await;
    let b = app.login("carol", None).await;
    let other = app.login("dave", None).await;
    let res = app.get("/admin/sessions?user=carol", None).await;
    let ids: HashSet<String> = serde_json::from_str(&res.body).unwrap();
    assert_eq!(
        ids,
        HashSet::from([id_of(&a).to_owned(), id_of(&b).to_owned()])
    );
    let res = app.post("/admin/logout-all?user=carol", None).await;
    assert_eq!(res.json(), 2);
    assert_eq!(app.user(&a).await, Value::Null);
    assert_eq!(app.user(&b).await, Value::Null);
    assert_eq!(app.user(&other).await, "dave");
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn typed_sessions_and_middleware_access() {
    let app = start_with(options(), Arc::default(), true).await;
    // The activity middleware does not create sessions for anonymous requests.
    let res = app.get("/whoami", None).await;
    assert!(res.set_cookies.is_empty());
    let c = app.cookie(&app.post("/cart", None).await);
    let res = app.post("/cart", Some(&c)).await;
    assert_eq!(res.json(), json!(["apple", "apple"]));
    let res = app.get("/cart", Some(&c)).await;
    assert_eq!(res.json()["cart"], json!(["apple", "apple"]));
    // The middleware wrote lastActivity on the existing session.
    let res = app.get("/whoami", Some(&c)).await;
    assert!(
        res.json()["lastActivity"].as_u64().is_some(),
        "{}",
        res.body
    );
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn session_service_works_without_a_request() {
    let mw = hearth::session::session_middleware(options()).unwrap();
    let svc = mw.service();
    assert_eq!(svc.cookie_name(), "sessionId");
    assert_eq!(svc.max_age(), Duration::from_secs(86_400));
    let id = svc
        .create(&json!({ "userId": "erin", "createdAt": 1 }))
        .await
        .unwrap();
    assert_eq!(svc.get(&id).await.unwrap().unwrap()["userId"], "erin");
    assert!(
        svc.set(&id, &json!({ "roles": ["admin"], "createdAt": null }))
            .await
            .unwrap()
    );
    let data = svc.get(&id).await.unwrap().unwrap();
    assert_eq!(data["roles"], json!(["admin"]));
    assert!(!data.contains_key("createdAt"), "null removes a key");
    assert!(svc.update(&id, &json!({ "n": 1 })).await.unwrap());
    assert!(svc.set_value(&id, "n", &2).await.unwrap());
    assert_eq!(svc.get_value::<i64>(&id, "n").await.unwrap(), Some(2));
    assert!(svc.delete_value(&id, "n").await.unwrap());
    assert_eq!(svc.get_value::<i64>(&id, "n").await.unwrap(), None);
    assert!(svc.touch(&id).await.unwrap());
    assert_eq!(svc.sessions_of("erin").await.unwrap(), vec![id.clone()]);
    let new_id = svc.regenerate(&id).await.unwrap().unwrap();
    assert_ne!(new_id, id);
    assert!(svc.get(&id).await.unwrap().is_none());
    assert_eq!(
        svc.get_value::<String>(&new_id, "userId")
            .await
            .unwrap()
            .as_deref(),
        Some("erin")
    );
    assert_eq!(
        svc.verify(&svc.sign(&new_id)).as_deref(),
        Some(new_id.as_str())
    );
    let header = svc.cookie_header(&new_id).unwrap();
    let header = header.to_str().unwrap();
    assert!(
        header.starts_with(&format!("sessionId={}", svc.sign(&new_id))),
        "{header}"
    );
    assert_eq!(attr(header, "Max-Age"), Some("86400"), "{header}");
    // With expire_on_close: a browser-session cookie.
    let closing = hearth::session::session_middleware(SessionOptions {
        expire_on_close: true,
        ..options()
    })
    .unwrap()
    .service();
    let header = closing.cookie_header(&new_id).unwrap();
    assert_eq!(
        attr(header.to_str().unwrap(), "Max-Age"),
        None,
        "{header:?}"
    );
    assert!(svc.destroy(&new_id).await.unwrap());
    assert!(!svc.destroy(&new_id).await.unwrap());
    assert!(
        !svc.set(&new_id, &json!({ "x": 1 })).await.unwrap(),
        "no resurrection"
    );
    assert!(svc.get(&new_id).await.unwrap().is_none());
    assert!(svc.get("not-an-id").await.unwrap().is_none());
    assert!(svc.regenerate("not-an-id").await.unwrap().is_none());

    // A session created by the service is usable over HTTP with its signed cookie.
    let store = fresh_store();
    let opts = SessionOptions {
        store: StoreConfig::custom(store.clone()),
        ..options()
    };
    let svc = hearth::session::session_middleware(opts.clone())
        .unwrap()
        .service();
    let app = start(opts).await;
    let id = svc.create(&json!({ "userId": "frank" })).await.unwrap();
    assert_eq!(app.user(&svc.sign(&id)).await, "frank");
    app.server.shutdown().await.unwrap();
}

fn startup_error(module: ModuleDef) -> String {
    Application::from_module(module)
        .expect_err("start-up must fail")
        .to_string()
}

#[test]
fn bad_options_are_start_up_errors() {
    let with = |o: SessionOptions| {
        startup_error(ModuleDef::new("AppModule").import(SessionModule::for_root(o)))
    };
    let fix = "set SessionOptions::secret to at least 32 random bytes, e.g. from the SESSION_SECRET env var";
    let e = with(SessionOptions::default());
    assert!(e.contains("no session secret") && e.contains(fix), "{e}");
    let e = with(SessionOptions {
        secret: "short".into(),
        ..Default::default()
    });
    assert!(e.contains("5 bytes") && e.contains(fix), "{e}");
    let e = with(SessionOptions {
        same_site: SameSite::None,
        ..options()
    });
    assert!(e.contains("SameSite::None requires secure = true"), "{e}");
    let e = with(SessionOptions {
        name: "__Host-sid".into(),
        path: "/app".into(),
        domain: Some("example.com".into()),
        ..options()
    });
    assert!(e.contains("requires secure = true"), "{e}");
    assert!(e.contains("requires path = \"/\""), "{e}");
    assert!(e.contains("requires domain = None"), "{e}");
    let e = with(SessionOptions {
        previous_secrets: vec!["old".into()],
        name: "bad name;".into(),
        ..options()
    });
    assert!(e.contains("previous_secrets[0]"), "{e}");
    assert!(e.contains("not a valid cookie name"), "{e}");
    // A valid __Host- configuration starts.
    assert!(
        Application::from_module(ModuleDef::new("AppModule").import(SessionModule::for_root(
            SessionOptions {
                name: "__Host-sid".into(),
                secure: true,
                ..options()
            }
        )))
        .is_ok()
    );
    // The bare module, as the seed imports it.
    let e = startup_error(ModuleDef::new("AppModule").import(SessionModule));
    assert!(e.contains("SessionModule::for_root"), "{e}");
    // session_middleware reports the same problems.
    let e = hearth::session::session_middleware(SessionOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains(fix), "{e}");
}

struct NeedsSessions;
impl hearth::di::Injectable for NeedsSessions {
    fn dependencies() -> Vec<hearth::di::Dependency> {
        vec![hearth::di::Dependency::token(
            &SESSION_SERVICE_TOKEN,
            "sessions",
        )]
    }
    fn construct(r: &hearth::di::Resolver) -> Result<Self, DiError> {
        r.get_token(&SESSION_SERVICE_TOKEN)?;
        Ok(NeedsSessions)
    }
}

struct NeedsSessionsByType;
impl hearth::di::Injectable for NeedsSessionsByType {
    fn dependencies() -> Vec<hearth::di::Dependency> {
        vec![hearth::di::Dependency::of::<SessionService>("sessions")]
    }
    fn construct(r: &hearth::di::Resolver) -> Result<Self, DiError> {
        r.get::<SessionService>()?;
        Ok(NeedsSessionsByType)
    }
}

#[tokio::test]
async fn session_service_is_injected_by_type_and_token_in_every_module() {
    // Without the module: the error names the fix.
    let e = startup_error(
        ModuleDef::new("AppModule")
            .provider(Provider::class::<NeedsSessions>())
            .provider(Provider::class::<NeedsSessionsByType>()),
    );
    assert!(
        e.contains("import SessionModule::for_root(..) in AppModule"),
        "{e}"
    );
    // With it, imported at the root, a feature module sees it (global).
    let feature = ModuleDef::new("FeatureModule")
        .provider(Provider::class::<NeedsSessions>())
        .provider(Provider::class::<NeedsSessionsByType>());
    let app = Application::from_module(
        ModuleDef::new("AppModule")
            .import(SessionModule::for_root(options()))
            .import(feature),
    )
    .unwrap();
    app.build().await.unwrap();
}

/// The session layer of `SessionModule::for_root` opens before every interceptor and closes
/// after them: a module imported *before* it can still read and write the session in its
/// global interceptor, which runs before the layer sets the session cookie.
#[tokio::test]
async fn module_interceptor_imported_before_the_session_module_sees_the_session() {
    let audit = ModuleDef::new("AuditModule").interceptor_value(interceptor_fn(
        |mut req: Request, next: CallHandler| async move {
            let session = match Session::from_request(&mut req).await {
                Ok(s) => s,
                Err(e) => return e.into_response(),
            };
            let visits: u64 = session.get("visits").ok().flatten().unwrap_or(0);
            session.insert("visits", &(visits + 1)).unwrap();
            let mut res = next.handle(req).await;
            let cookie_set = res.headers().contains_key(http::header::SET_COOKIE);
            // Not yet: the layer sets the cookie after every interceptor ran.
            res.headers_mut().insert(
                "x-cookie-seen",
                (cookie_set as u8).to_string().parse().unwrap(),
            );
            res.headers_mut()
                .insert("x-visits", (visits + 1).to_string().parse().unwrap());
            res
        },
    ));
    let options = options();
    let name = options.name.clone();
    let module = ModuleDef::new("AppModule")
        .import(audit)
        .import(SessionModule::for_root(options))
        .route(http::Method::GET, "/", |_req: Request| async { "ok" });
    let app = serve(Application::from_module(module).unwrap(), name).await;
    let first = app.get("/", None).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.headers["x-visits"], "1");
    assert_eq!(first.headers["x-cookie-seen"], "0");
    let cookie = app.cookie(&first);
    let second = app.get("/", Some(&cookie)).await;
    assert_eq!(second.status, 200);
    assert_eq!(second.headers["x-visits"], "2");
    app.server.shutdown().await.unwrap();
}
