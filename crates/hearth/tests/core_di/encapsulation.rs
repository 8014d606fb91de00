//! Module encapsulation: exports, imports and global modules.

use super::*;

service!(UserService {});
service!(AuthService { users: UserService });
controller!(UserController { auth: AuthService });

module!(PrivateUsersModule => ModuleDef::new("UsersModule").provider(Provider::class::<UserService>()));
module!(EncapsulatedApp => ModuleDef::new("AppModule")
    .import(PrivateUsersModule)
    .provider(Provider::class::<AuthService>())
    .controller::<UserController>());

#[tokio::test]
async fn non_exported_provider_is_not_visible_to_importers() {
    let err = startup_error(Application::create::<EncapsulatedApp>()).await;
    assert!(
        err.contains("UserController → AuthService → UserService: not provided"),
        "{err}"
    );
    assert!(
        err.contains("UserService is provided by UsersModule but not exported; add it to the exports of UsersModule"),
        "{err}"
    );
    assert!(
        !err.contains("and import UsersModule in AppModule"),
        "AppModule already imports UsersModule: {err}"
    );
}

module!(ExportingUsersModule => ModuleDef::new("UsersModule")
    .provider(Provider::class::<UserService>())
    .export(hearth::di::ProviderKey::of::<UserService>()));
module!(ForgetfulApp => ModuleDef::new("AppModule")
    .provider(Provider::class::<AuthService>())
    .controller::<UserController>());
module!(RootWithSibling => ModuleDef::new("RootModule")
    .import(ExportingUsersModule)
    .import(ForgetfulApp));

#[tokio::test]
async fn exported_but_not_imported_names_the_import_fix() {
    let err = startup_error(Application::create::<RootWithSibling>()).await;
    assert!(
        err.contains("UserController → AuthService → UserService: not provided; UserService is provided by UsersModule; import UsersModule in AppModule"),
        "{err}"
    );
}

module!(GoodApp => ModuleDef::new("AppModule")
    .import(ExportingUsersModule)
    .provider(Provider::class::<AuthService>())
    .controller::<UserController>());

#[tokio::test]
async fn exported_provider_is_visible_and_shared() {
    let app = Application::create::<GoodApp>().unwrap();
    app.build().await.unwrap();
}

struct AppConfig {
    name: &'static str,
}
service!(Secret {});
service!(FeatureService { config: AppConfig });
service!(SecretReader { secret: Secret });

module!(ConfigModule => ModuleDef::new("ConfigModule")
    .global()
    .provider(Provider::value(AppConfig { name: "hearth" }))
    .provider(Provider::class::<Secret>())
    .export(hearth::di::ProviderKey::of::<AppConfig>()));
module!(FeatureModule => ModuleDef::new("FeatureModule")
.provider(Provider::class::<FeatureService>())
.route(Method::GET, "/feature", |req: Request| async move {
    let (mut parts, _) = req.into_parts();
    inject::<FeatureService>(&mut parts).await.config.name
}));
module!(GlobalApp => ModuleDef::new("AppModule")
    .import(ConfigModule)
    .import(FeatureModule));

#[tokio::test]
async fn global_module_exports_are_visible_everywhere() {
    let server = start(Application::create::<GlobalApp>().unwrap()).await;
    let text = get_text(&server, "/feature").await;
    assert_eq!(text, "hearth");
    server.shutdown().await.unwrap();
}

module!(PeekingFeature => ModuleDef::new("FeatureModule").provider(Provider::class::<SecretReader>()));
module!(PeekingApp => ModuleDef::new("AppModule").import(ConfigModule).import(PeekingFeature));

#[tokio::test]
async fn global_module_keeps_non_exported_providers_private() {
    let err = startup_error(Application::create::<PeekingApp>()).await;
    assert!(
        err.contains("SecretReader → Secret: not provided; Secret is provided by ConfigModule but not exported; add it to the exports of ConfigModule"),
        "{err}"
    );
}
