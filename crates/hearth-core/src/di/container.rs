//! The container: the module graph flattened into providers, checked, then instantiated.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::provider::{Kind, Provider};
use super::{AnyArc, DiError, ProviderKey, Scope};
use crate::module::{AppParts, Import, ModuleDef};
use crate::routing::ControllerDef;

type ProviderId = usize;
type ModuleId = usize;

/// A hint shown when a key is provided nowhere, registered by the module that provides it
/// (`SessionModule` registers one for `SessionService`). `{module}` is replaced by the name of
/// the module that needs the key.
pub struct ProviderHint {
    /// The key the hint is about.
    pub key: fn() -> ProviderKey,
    /// The fix, e.g. `import SessionModule::for_root(..) in {module}`.
    pub hint: &'static str,
}
inventory::collect!(ProviderHint);

pub(crate) struct ModuleNode {
    pub(crate) name: String,
    pub(crate) global: bool,
    providers: Vec<ProviderId>,
    pub(crate) controllers: Vec<ControllerDef>,
    pub(crate) routes: std::sync::Mutex<Vec<crate::routing::MountedRoute>>,
    imports: Vec<ModuleId>,
    exports: Vec<ProviderKey>,
    exported: HashMap<ProviderKey, ProviderId>,
    visible: HashMap<ProviderKey, ProviderId>,
}

struct Entry {
    provider: Provider,
    module: ModuleId,
}

pub(crate) struct Inner {
    entries: Vec<Entry>,
    pub(crate) modules: Vec<ModuleNode>,
    instances: Vec<OnceLock<AnyArc>>,
    /// Singletons in dependency order.
    order: Vec<ProviderId>,
}

/// The built container. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Container(pub(crate) Arc<Inner>);

/// The cache of request-scoped instances of one request.
#[derive(Clone, Default)]
pub(crate) struct RequestScope(Arc<Mutex<HashMap<ProviderId, AnyArc>>>);

/// Resolves providers as seen from one module (and, inside a request, that request's scope).
#[derive(Clone)]
pub struct Resolver {
    inner: Arc<Inner>,
    module: ModuleId,
    request: Option<RequestScope>,
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolver")
            .field("module", &self.inner.modules[self.module].name)
            .finish()
    }
}

impl Resolver {
    /// The provider registered for type `T`.
    pub fn get<T: Send + Sync + 'static>(&self) -> Result<Arc<T>, DiError> {
        self.get_key(ProviderKey::of::<T>())
    }

    /// The provider registered under `token`.
    pub fn get_token<T: Send + Sync + 'static>(
        &self,
        token: &super::Token<T>,
    ) -> Result<Arc<T>, DiError> {
        self.get_key(token.key())
    }

    fn get_key<T: Send + Sync + 'static>(&self, key: ProviderKey) -> Result<Arc<T>, DiError> {
        let id = *self.inner.modules[self.module]
            .visible
            .get(&key)
            .ok_or_else(|| DiError::Unresolved {
                key: key.to_string(),
                context: self.inner.modules[self.module].name.clone(),
            })?;
        let any = self.instance(id)?;
        any.downcast::<T>().map_err(|_| DiError::Unresolved {
            key: key.to_string(),
            context: "a provider of another type".into(),
        })
    }

    fn instance(&self, id: ProviderId) -> Result<AnyArc, DiError> {
        let entry = &self.inner.entries[id];
        match entry.provider.scope {
            Scope::Singleton => {
                self.inner.instances[id]
                    .get()
                    .cloned()
                    .ok_or_else(|| DiError::Unresolved {
                        key: entry.provider.name.clone(),
                        context: "a provider that is not built yet (resolve it after start-up)"
                            .into(),
                    })
            }
            Scope::Transient => self.build(id),
            Scope::Request => {
                let scope = self.request.as_ref().ok_or_else(|| DiError::Unresolved {
                    key: entry.provider.name.clone(),
                    context: "outside a request (request-scoped providers exist per request)"
                        .into(),
                })?;
                if let Some(v) = scope.0.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
                    return Ok(v.clone());
                }
                let v = self.build(id)?;
                scope
                    .0
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .entry(id)
                    .or_insert(v.clone());
                Ok(v)
            }
        }
    }

    fn owner(&self, id: ProviderId) -> Resolver {
        Resolver {
            inner: self.inner.clone(),
            module: self.inner.entries[id].module,
            request: self.request.clone(),
        }
    }

    fn build(&self, id: ProviderId) -> Result<AnyArc, DiError> {
        let entry = &self.inner.entries[id];
        match &entry.provider.kind {
            Kind::Value(v) => Ok(v.clone()),
            Kind::Sync(f) => f(&self.owner(id)),
            Kind::Async(_) => Err(DiError::AsyncScope {
                provider: entry.provider.name.clone(),
            }),
        }
    }
}

impl Container {
    pub(crate) fn resolver_in_request(&self, module: ModuleId, scope: RequestScope) -> Resolver {
        Resolver {
            inner: self.0.clone(),
            module,
            request: Some(scope),
        }
    }

    pub(crate) fn resolver(&self, module: ModuleId) -> Resolver {
        Resolver {
            inner: self.0.clone(),
            module,
            request: None,
        }
    }

    /// Builds every singleton in dependency order, then runs `on_module_init` hooks.
    pub(crate) async fn instantiate(&self) -> Result<(), crate::Error> {
        for &id in &self.0.order {
            let entry = &self.0.entries[id];
            let resolver = self.resolver(entry.module);
            let value = match &entry.provider.kind {
                Kind::Value(v) => v.clone(),
                Kind::Sync(f) => f(&resolver).map_err(crate::Error::from)?,
                Kind::Async(f) => f(resolver).await.map_err(crate::Error::from)?,
            };
            let _ = self.0.instances[id].set(value);
        }
        for &id in &self.0.order {
            let entry = &self.0.entries[id];
            if let (Some(hook), Some(v)) = (&entry.provider.on_init, self.0.instances[id].get()) {
                hook(v.clone()).await.map_err(|e| {
                    crate::Error::Startup(vec![format!(
                        "{}: on_module_init failed: {e}",
                        entry.provider.name
                    )])
                })?;
            }
        }
        Ok(())
    }

    /// Runs `before_application_shutdown` hooks in reverse dependency order.
    pub(crate) async fn before_shutdown(&self) {
        for &id in self.0.order.iter().rev() {
            let entry = &self.0.entries[id];
            if let (Some(hook), Some(v)) =
                (&entry.provider.before_shutdown, self.0.instances[id].get())
            {
                hook(v.clone()).await;
            }
        }
    }

    /// Runs `on_application_shutdown` hooks in reverse dependency order.
    pub(crate) async fn shutdown(&self) {
        for &id in self.0.order.iter().rev() {
            let entry = &self.0.entries[id];
            if let (Some(hook), Some(v)) = (&entry.provider.on_shutdown, self.0.instances[id].get())
            {
                hook(v.clone()).await;
            }
        }
    }

    pub(crate) fn modules(&self) -> &[ModuleNode] {
        &self.0.modules
    }
}

/// Flattens a module tree into a checked container.
#[derive(Default)]
pub(crate) struct ContainerBuilder {
    entries: Vec<Entry>,
    modules: Vec<ModuleNode>,
    statics: HashMap<std::any::TypeId, ModuleId>,
    parts: Vec<(ModuleId, AppParts)>,
    problems: Vec<String>,
}

/// What [`ContainerBuilder::build`] gives the application besides the container.
pub(crate) struct Built {
    pub(crate) container: Container,
    /// What each module installs for the whole application (middleware, layers, global
    /// guards…), imported modules first.
    pub(crate) parts: Vec<(ModuleId, AppParts)>,
}

impl ContainerBuilder {
    /// Builds the container, with what the modules ask of the application.
    pub(crate) fn build(root: Import) -> Result<Built, crate::Error> {
        let mut b = ContainerBuilder::default();
        let mut stack = Vec::new();
        let _ = b.add(root, &mut stack);
        if b.problems.is_empty() {
            b.resolve_exports();
        }
        let mut order = Vec::new();
        if b.problems.is_empty() {
            order = b.check_graph();
        }
        if !b.problems.is_empty() {
            return Err(crate::Error::Startup(b.problems));
        }
        let instances = (0..b.entries.len()).map(|_| OnceLock::new()).collect();
        let container = Container(Arc::new(Inner {
            entries: b.entries,
            modules: b.modules,
            instances,
            order,
        }));
        Ok(Built {
            container,
            parts: b.parts,
        })
    }

    fn add(
        &mut self,
        import: Import,
        stack: &mut Vec<(Option<std::any::TypeId>, String)>,
    ) -> Option<ModuleId> {
        let (static_id, def) = import.into_parts();
        if let Some(tid) = static_id {
            if let Some(pos) = stack.iter().position(|(t, _)| *t == Some(tid)) {
                let mut names: Vec<&str> = stack[pos..].iter().map(|(_, n)| n.as_str()).collect();
                names.push(&stack[pos].1);
                let chain = names.join(" → ");
                self.problems
                    .push(DiError::ImportCycle { chain }.to_string());
                return None;
            }
            if let Some(&id) = self.statics.get(&tid) {
                return Some(id);
            }
        }
        let def: ModuleDef = def;
        let id = self.modules.len();
        if let Some(tid) = static_id {
            self.statics.insert(tid, id);
        }
        self.problems.extend(def.errors.iter().cloned());
        let mut providers = Vec::new();
        for p in def.providers {
            if matches!(p.kind, Kind::Async(_)) && p.scope != Scope::Singleton {
                self.problems.push(
                    DiError::AsyncScope {
                        provider: p.name.clone(),
                    }
                    .to_string(),
                );
            }
            providers.push(self.entries.len());
            self.entries.push(Entry {
                provider: p,
                module: id,
            });
        }
        self.modules.push(ModuleNode {
            name: def.name.clone(),
            global: def.global,
            providers,
            controllers: def.controllers,
            routes: std::sync::Mutex::new(def.routes),
            imports: Vec::new(),
            exports: def.exports,
            exported: HashMap::new(),
            visible: HashMap::new(),
        });
        stack.push((static_id, def.name));
        let mut imports = Vec::new();
        for child in def.imports {
            if let Some(cid) = self.add(child, stack) {
                imports.push(cid);
            }
        }
        stack.pop();
        self.modules[id].imports = imports;
        self.parts.push((id, def.app));
        Some(id)
    }

    /// Computes each module's exported and visible maps, children first.
    fn resolve_exports(&mut self) {
        // Modules were numbered parent-first, so children have larger ids: go in reverse.
        for id in (0..self.modules.len()).rev() {
            let mut own: HashMap<ProviderKey, ProviderId> = HashMap::new();
            for &pid in &self.modules[id].providers {
                for k in &self.entries[pid].provider.keys {
                    // Within one module a key has one provider: which of two would be meant
                    // is a guess (a provider may list a key twice, e.g. with `also_as`).
                    if *own.entry(*k).or_insert(pid) != pid {
                        let problem = DiError::DuplicateProvider {
                            module: self.modules[id].name.clone(),
                            key: k.to_string(),
                        }
                        .to_string();
                        // Said once, however many times the key is listed.
                        if !self.problems.contains(&problem) {
                            self.problems.push(problem);
                        }
                    }
                }
            }
            let mut imported: HashMap<ProviderKey, ProviderId> = HashMap::new();
            for &cid in &self.modules[id].imports {
                for (k, v) in &self.modules[cid].exported {
                    imported.entry(*k).or_insert(*v);
                }
            }
            let mut exported = HashMap::new();
            for key in &self.modules[id].exports {
                match own.get(key).or_else(|| imported.get(key)) {
                    Some(pid) => {
                        exported.insert(*key, *pid);
                    }
                    None => self.problems.push(
                        DiError::BadExport {
                            module: self.modules[id].name.clone(),
                            key: key.to_string(),
                        }
                        .to_string(),
                    ),
                }
            }
            let mut visible = own;
            for (k, v) in imported {
                visible.entry(k).or_insert(v);
            }
            self.modules[id].exported = exported;
            self.modules[id].visible = visible;
        }
        let globals: Vec<(ProviderKey, ProviderId)> = self
            .modules
            .iter()
            .filter(|m| m.global)
            .flat_map(|m| m.exported.iter().map(|(k, v)| (*k, *v)))
            .collect();
        for m in &mut self.modules {
            for (k, v) in &globals {
                m.visible.entry(*k).or_insert(*v);
            }
        }
    }

    /// Checks every dependency of every provider and controller; returns singletons in
    /// dependency order.
    ///
    /// Controllers are visited first, then the providers no other provider depends on, then
    /// the rest: a problem is reported once, with the longest chain that leads to it
    /// (`UserController → AuthService → SessionService`, not `AuthService → SessionService`).
    fn check_graph(&mut self) -> Vec<ProviderId> {
        let mut state = vec![Visit::New; self.entries.len()];
        let mut order = Vec::new();
        let mut problems = Vec::new();
        for (mid, m) in self.modules.iter().enumerate() {
            for c in &m.controllers {
                let own = (c.dependencies)()
                    .into_iter()
                    .map(|d| (c.name.to_string(), d));
                let enhancers = (c.enhancer_dependencies)()
                    .into_iter()
                    .flat_map(|(who, deps)| deps.into_iter().map(move |d| (who.clone(), d)));
                for (who, dep) in own.chain(enhancers) {
                    let mut chain = vec![who];
                    match m.visible.get(&dep.key) {
                        None => problems.push(self.missing(&chain, dep.key, mid)),
                        Some(&pid) => {
                            let needs_request =
                                self.visit(pid, &mut chain, &mut state, &mut order, &mut problems);
                            if needs_request {
                                chain.push(dep.key.to_string());
                                if !chain[0].ends_with("(Inject)") {
                                    problems.push(self.scope_problem(&chain, c.name, pid));
                                }
                            }
                        }
                    }
                }
            }
        }
        for (mid, parts) in &self.parts {
            let names = parts.guards.iter().map(|g| (g.name, (g.dependencies)()));
            let names = names.chain(
                parts
                    .interceptors
                    .iter()
                    .map(|i| (i.name, (i.dependencies)())),
            );
            let names = names.chain(parts.filters.iter().map(|f| (f.name, (f.dependencies)())));
            for (name, deps) in names {
                for dep in deps {
                    let mut chain = vec![format!("{} (global) → {name}", self.modules[*mid].name)];
                    match self.modules[*mid].visible.get(&dep.key) {
                        None => problems.push(self.missing(&chain, dep.key, *mid)),
                        Some(&pid) => {
                            if self.visit(pid, &mut chain, &mut state, &mut order, &mut problems) {
                                chain.push(dep.key.to_string());
                                problems.push(self.scope_problem(&chain, name, pid));
                            }
                        }
                    }
                }
            }
        }
        let mut depended_on = vec![false; self.entries.len()];
        for e in &self.entries {
            let visible = &self.modules[e.module].visible;
            for dep in &e.provider.deps {
                if let Some(&pid) = visible.get(&dep.key) {
                    depended_on[pid] = true;
                }
            }
        }
        let roots = (0..self.entries.len()).filter(|&id| !depended_on[id]);
        let rest = (0..self.entries.len()).filter(|&id| depended_on[id]);
        for id in roots.chain(rest) {
            let mut chain = Vec::new();
            self.visit(id, &mut chain, &mut state, &mut order, &mut problems);
        }
        self.problems.extend(problems);
        order
    }

    fn scope_problem(&self, chain: &[String], singleton: &str, request: ProviderId) -> String {
        DiError::ScopeMismatch {
            chain: chain.join(" → "),
            singleton: singleton.to_string(),
            request: self.entries[request].provider.name.clone(),
        }
        .to_string()
    }

    /// Depth-first visit; returns whether the provider needs a request scope.
    fn visit(
        &self,
        id: ProviderId,
        chain: &mut Vec<String>,
        state: &mut [Visit],
        order: &mut Vec<ProviderId>,
        problems: &mut Vec<String>,
    ) -> bool {
        let entry = &self.entries[id];
        match state[id] {
            Visit::Done(needs) => return needs,
            Visit::Active => {
                let start = chain
                    .iter()
                    .position(|n| *n == entry.provider.name)
                    .unwrap_or(0);
                let mut cycle: Vec<String> = chain[start..].to_vec();
                cycle.push(entry.provider.name.clone());
                problems.push(
                    DiError::Cycle {
                        chain: cycle.join(" → "),
                    }
                    .to_string(),
                );
                return false;
            }
            Visit::New => {}
        }
        state[id] = Visit::Active;
        chain.push(entry.provider.name.clone());
        let module = &self.modules[entry.module];
        let mut needs_request = entry.provider.scope == Scope::Request;
        for dep in &entry.provider.deps {
            match module.visible.get(&dep.key) {
                None => {
                    let mut c = chain.clone();
                    c.push(dep.key.to_string());
                    problems.push(self.missing_full(&c, dep.key, entry.module));
                }
                Some(&pid) => {
                    let dep_needs = self.visit(pid, chain, state, order, problems);
                    if dep_needs && entry.provider.scope == Scope::Singleton {
                        let mut c = chain.clone();
                        c.push(self.entries[pid].provider.name.clone());
                        problems.push(self.scope_problem(&c, &entry.provider.name, pid));
                    }
                    needs_request |= dep_needs;
                }
            }
        }
        chain.pop();
        state[id] = Visit::Done(needs_request);
        if entry.provider.scope == Scope::Singleton {
            order.push(id);
        }
        needs_request
    }

    fn missing(&self, chain: &[String], key: ProviderKey, module: ModuleId) -> String {
        let mut c = chain.to_vec();
        c.push(key.to_string());
        self.missing_full(&c, key, module)
    }

    fn missing_full(&self, chain: &[String], key: ProviderKey, module: ModuleId) -> String {
        let here = &self.modules[module].name;
        let elsewhere = self.modules.iter().find(|m| {
            m.providers
                .iter()
                .any(|&p| self.entries[p].provider.keys.contains(&key))
        });
        let imported = |m: &ModuleNode| {
            self.modules[module]
                .imports
                .iter()
                .any(|&i| std::ptr::eq(&self.modules[i], m))
        };
        let fix = match elsewhere {
            Some(m) if m.exports.contains(&key) => {
                format!(
                    "{key} is provided by {}; import {} in {here}",
                    m.name, m.name
                )
            }
            Some(m) if imported(m) => format!(
                "{key} is provided by {} but not exported; add it to the exports of {}",
                m.name, m.name
            ),
            Some(m) => format!(
                "{key} is provided by {} but not exported; add it to the exports of {} and import {} in {here}",
                m.name, m.name, m.name
            ),
            None => inventory::iter::<ProviderHint>
                .into_iter()
                .find(|h| (h.key)() == key)
                .map(|h| h.hint.replace("{module}", here))
                .unwrap_or_else(|| match key.token() {
                    Some(token) => format!(
                        "add a provider for {token} (`Provider::value_for(&{token}, ..)` or \
                         `Provider::factory_for(&{token}, ..)`) to the providers of {here}"
                    ),
                    None => format!("add {} to the providers of {here}", key.short_type_name()),
                }),
        };
        DiError::Missing {
            chain: chain.join(" → "),
            fix,
        }
        .to_string()
    }
}

#[derive(Clone, Copy)]
enum Visit {
    New,
    Active,
    Done(bool),
}
