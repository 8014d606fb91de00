//! A battery written in the test, on the public seam only: a route attribute (`#[roles]`,
//! `#[public]`) read by its guard, and parameter attributes (`#[api_key]`, `#[tenant(..)]`).

use hearth::lifecycle::{Metadata, ParamAttribute, RouteAttribute};
use hearth::prelude::*;
use http::request::Parts;

use crate::support::{Journal, client};

mod security {
    //! The battery: what `#[roles(..)]` and `#[public]` resolve to, and the guard reading them.
    use super::*;

    /// The roles a route requires (`#[roles("admin")]`, `#[roles("admin", or = "editor")]`).
    #[derive(Clone, Debug, PartialEq)]
    pub struct Roles(pub Vec<&'static str>);

    /// `#[roles(first)]`: the function the attribute calls.
    pub fn roles(first: &'static str) -> Roles {
        Roles(vec![first])
    }

    impl Roles {
        /// `or = ".."`: a named argument becomes a builder call.
        pub fn or(mut self, role: &'static str) -> Self {
            self.0.push(role);
            self
        }
    }

    impl RouteAttribute for Roles {
        fn apply(self, metadata: &mut Metadata) {
            metadata.insert(self);
        }
    }

    /// Marks a route that needs no role.
    pub struct Public;

    /// `#[public]`.
    pub fn public() -> Public {
        Public
    }

    impl RouteAttribute for Public {
        fn apply(self, metadata: &mut Metadata) {
            metadata.insert(Public);
        }
    }

    /// Allows a request whose `x-role` is one of the route's roles (or a public route).
    #[injectable]
    pub struct RolesGuard;

    impl Guard for RolesGuard {
        async fn can_activate(&self, req: &mut Request, route: &RouteInfo) -> HttpResult<bool> {
            if route.route_metadata().contains::<Public>() {
                return Ok(true);
            }
            let Some(Roles(needed)) = route.get::<Roles>() else {
                return Ok(true);
            };
            let role = req.headers().get("x-role").and_then(|v| v.to_str().ok());
            Ok(role.is_some_and(|r| needed.contains(&r)))
        }
    }

    /// `#[api_key] key: String`: the `x-api-key` header, 401 without it.
    pub fn api_key() -> ApiKey {
        ApiKey
    }
    pub struct ApiKey;

    impl ParamAttribute<String> for ApiKey {
        type Rejection = HttpException;
        async fn extract(self, parts: &mut Parts) -> Result<String, HttpException> {
            parts
                .headers
                .get("x-api-key")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .ok_or_else(|| UnauthorizedException::new("missing x-api-key"))
        }
    }

    /// `#[tenant(default = "..")] t: Tenant`: the `x-tenant` header, or the default.
    pub fn tenant() -> TenantParam {
        TenantParam { default: None }
    }
    pub struct TenantParam {
        default: Option<&'static str>,
    }
    impl TenantParam {
        /// `default = ".."`.
        pub fn default(mut self, tenant: &'static str) -> Self {
            self.default = Some(tenant);
            self
        }
    }

    /// A tenant name.
    pub struct Tenant(pub String);

    impl ParamAttribute<Tenant> for TenantParam {
        type Rejection = HttpException;
        async fn extract(self, parts: &mut Parts) -> Result<Tenant, HttpException> {
            let header = parts.headers.get("x-tenant").and_then(|v| v.to_str().ok());
            header
                .or(self.default)
                .map(|t| Tenant(t.to_owned()))
                .ok_or_else(|| BadRequestException::new("which tenant?"))
        }
    }
}

use security::{Roles, RolesGuard, Tenant, api_key, public, roles, tenant};

/// Doc comments and derives stay Rust's; `#[roles]` below `#[controller]` applies to every
/// route.
#[controller("/admin")]
#[derive(Debug)]
#[use_guards(RolesGuard)]
#[roles("staff")]
struct AdminController;

#[routes]
impl AdminController {
    /// Inherits the controller's roles.
    #[get("/reports")]
    async fn reports(&self) -> &'static str {
        "reports"
    }

    #[post("/users")]
    #[roles("admin", or = "owner")]
    async fn add_user(&self) -> &'static str {
        "added"
    }

    #[get("/health")]
    #[public]
    async fn health(&self) -> &'static str {
        "up"
    }

    #[get("/key")]
    #[public]
    async fn key(&self, #[api_key] key: String, #[tenant(default = "acme")] t: Tenant) -> String {
        format!("{key}@{}", t.0)
    }
}

async fn admin() -> hearth::testing::TestClient {
    let journal = Journal::default();
    client(
        &journal,
        ModuleDef::new("AdminApp").controller::<AdminController>(),
    )
    .await
}

#[tokio::test]
async fn a_battery_route_attribute_sets_metadata_its_guard_reads() {
    let client = admin().await;
    let status = |method: http::Method, path: &str, role: &str| {
        client.request(method, path).header("x-role", role).send()
    };
    // The controller's `#[roles("staff")]`.
    let get = http::Method::GET;
    assert_eq!(
        status(get.clone(), "/admin/reports", "staff")
            .await
            .status(),
        StatusCode::OK
    );
    let denied = status(get.clone(), "/admin/reports", "guest")
        .await
        .status();
    assert_eq!(denied, StatusCode::FORBIDDEN);
    // The route's own roles override the controller's, named argument included.
    for (role, expected) in [
        ("admin", StatusCode::OK),
        ("owner", StatusCode::OK),
        ("staff", StatusCode::FORBIDDEN),
    ] {
        let res = status(http::Method::POST, "/admin/users", role).await;
        assert_eq!(res.status(), expected, "{role}");
    }
    // A flag attribute.
    assert_eq!(
        status(get, "/admin/health", "guest").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn battery_parameter_attributes_extract_their_values_and_reject_with_their_own_error() {
    let client = admin().await;
    let res = client
        .get("/admin/key")
        .header("x-api-key", "k-1")
        .header("x-tenant", "globex")
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text(), "k-1@globex");
    // The named argument became a builder call: the default applies.
    let res = client
        .get("/admin/key")
        .header("x-api-key", "k-1")
        .send()
        .await;
    assert_eq!(res.text(), "k-1@acme");
    let res = client.get("/admin/key").send().await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.json::<Value>()["message"], "missing x-api-key");
}

#[test]
fn route_attributes_land_in_the_route_and_controller_metadata() {
    use hearth::routing::{Controller, ControllerMeta};
    let controller = <AdminController as ControllerMeta>::metadata();
    assert_eq!(controller.get::<Roles>(), Some(&Roles(vec!["staff"])));
    let routes = <AdminController as Controller>::routes();
    let add_user = routes.iter().find(|r| r.name == "add_user").unwrap();
    assert_eq!(
        add_user.metadata.get::<Roles>(),
        Some(&Roles(vec!["admin", "owner"]))
    );
    let reports = routes.iter().find(|r| r.name == "reports").unwrap();
    assert!(reports.metadata.is_empty());
    let _ = format!("{AdminController:?}");
}
