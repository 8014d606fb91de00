//! The module graph: imports flattened into the container's providers and per-module views
//! (exports, encapsulation, global modules), what the application needs from the container
//! (controllers, guards, handlers' `Inject<T>`, provided layers) listed for the container's
//! check, and every problem collected at once.

use std::any::TypeId;
use std::collections::{HashMap, HashSet};

use super::{AppParts, Import, LayerDef, ModuleDef, ModuleError};
use crate::StartupError;
use crate::di::{
    self, Consumer, Container, Dependency, Entry, MissingFix, ModuleId, ProviderHint, ProviderId,
    ProviderKey, View,
};
use crate::routing::{ControllerDef, MountedRoute};

/// What one module mounts: its controllers and its closure routes.
pub(crate) struct Mounts {
    pub(crate) controllers: Vec<ControllerDef>,
    pub(crate) routes: Vec<MountedRoute>,
}

/// The flattened, checked module graph.
pub(crate) struct ModuleGraph {
    pub(crate) container: Container,
    /// What each module mounts, by module id (the root is 0).
    pub(crate) mounts: Vec<Mounts>,
    /// What each module installs for the whole application, imported modules first.
    pub(crate) parts: Vec<(ModuleId, AppParts)>,
}

/// A module as flattened.
struct Node {
    name: String,
    global: bool,
    providers: Vec<ProviderId>,
    imports: Vec<ModuleId>,
    exports: Vec<ProviderKey>,
    exported: HashMap<ProviderKey, ProviderId>,
    visible: HashMap<ProviderKey, ProviderId>,
}

#[derive(Default)]
struct Flattener {
    entries: Vec<Entry>,
    nodes: Vec<Node>,
    mounts: Vec<Mounts>,
    parts: Vec<(ModuleId, AppParts)>,
    statics: HashMap<TypeId, ModuleId>,
    problems: Vec<StartupError>,
}

impl ModuleGraph {
    /// Flattens and checks the graph rooted at `root`; `overrides` replace the providers
    /// registered under their keys (a test's fakes). Every problem is reported at once.
    pub(crate) fn build(
        root: Import,
        overrides: Vec<di::Provider>,
    ) -> Result<ModuleGraph, Vec<StartupError>> {
        let mut f = Flattener::default();
        f.add(root, &mut Vec::new());
        f.apply_overrides(overrides);
        if f.problems.is_empty() {
            f.resolve_exports();
        }
        let mut order = Vec::new();
        if f.problems.is_empty() {
            let consumers = f.consumers();
            let views: Vec<View> = f.views();
            let checked = di::check(&f.entries, &views, &consumers, &|key, module| {
                f.missing_fix(key, module)
            });
            f.problems
                .extend(checked.problems.into_iter().map(StartupError::from));
            order = checked.order;
        }
        if !f.problems.is_empty() {
            return Err(f.problems);
        }
        let views = f.views();
        Ok(ModuleGraph {
            container: Container::new(f.entries, views, order),
            mounts: f.mounts,
            parts: f.parts,
        })
    }
}

impl Flattener {
    /// Adds `import` and, depth first, what it imports; `stack` is the path from the root.
    fn add(
        &mut self,
        import: Import,
        stack: &mut Vec<(Option<TypeId>, String)>,
    ) -> Option<ModuleId> {
        let (static_id, def) = import.into_parts();
        if let Some(tid) = static_id {
            if let Some(pos) = stack.iter().position(|(t, _)| *t == Some(tid)) {
                let mut names: Vec<String> = stack[pos..].iter().map(|(_, n)| n.clone()).collect();
                names.push(stack[pos].1.clone());
                self.problems.push(
                    ModuleError::ImportCycle {
                        chain: names.into(),
                    }
                    .into(),
                );
                return None;
            }
            if let Some(&id) = self.statics.get(&tid) {
                return Some(id);
            }
        }
        let ModuleDef {
            name,
            imports,
            providers,
            controllers,
            exports,
            global,
            app,
            routes,
            errors,
        } = def;
        let id = self.nodes.len();
        if let Some(tid) = static_id {
            self.statics.insert(tid, id);
        }
        self.problems.extend(errors.into_iter().map(|source| {
            StartupError::from(ModuleError::Config {
                module: name.clone(),
                source,
            })
        }));
        let mut ids = Vec::new();
        for provider in providers {
            ids.push(self.entries.len());
            self.entries.push(Entry {
                provider,
                module: id,
            });
        }
        self.nodes.push(Node {
            name: name.clone(),
            global,
            providers: ids,
            imports: Vec::new(),
            exports,
            exported: HashMap::new(),
            visible: HashMap::new(),
        });
        self.mounts.push(Mounts {
            controllers,
            routes,
        });
        stack.push((static_id, name));
        let children: Vec<ModuleId> = imports
            .into_iter()
            .filter_map(|child| self.add(child, stack))
            .collect();
        stack.pop();
        self.nodes[id].imports = children;
        self.parts.push((id, app));
        Some(id)
    }

    /// Replaces every provider registered under an override's key, keeping its module (so
    /// encapsulation stays what it was); an override nothing is registered under is an error.
    fn apply_overrides(&mut self, overrides: Vec<di::Provider>) {
        for o in overrides {
            let key = o.key();
            let mut found = false;
            for e in self
                .entries
                .iter_mut()
                .filter(|e| e.provider.keys.contains(&key))
            {
                e.provider = e.provider.clone().replaced_by(o.clone());
                found = true;
            }
            if !found {
                self.problems
                    .push(crate::testing::OverrideError::NotProvided { key }.into());
            }
        }
    }

    /// Computes each module's exported and visible keys, children first.
    fn resolve_exports(&mut self) {
        let mut duplicates = HashSet::new();
        // Modules were numbered parent-first, so children have larger ids: go in reverse.
        for id in (0..self.nodes.len()).rev() {
            let mut own: HashMap<ProviderKey, ProviderId> = HashMap::new();
            for &pid in &self.nodes[id].providers {
                for k in &self.entries[pid].provider.keys {
                    // Within one module a key has one provider: which of two would be meant
                    // is a guess (a provider may list a key twice, e.g. with `also_as`).
                    // Said once, however many times the key is listed.
                    if *own.entry(*k).or_insert(pid) != pid && duplicates.insert((id, *k)) {
                        self.problems.push(
                            ModuleError::DuplicateProvider {
                                module: self.nodes[id].name.clone(),
                                key: *k,
                            }
                            .into(),
                        );
                    }
                }
            }
            let mut imported: HashMap<ProviderKey, ProviderId> = HashMap::new();
            for &cid in &self.nodes[id].imports {
                for (k, v) in &self.nodes[cid].exported {
                    imported.entry(*k).or_insert(*v);
                }
            }
            let mut exported = HashMap::new();
            for key in &self.nodes[id].exports {
                match own.get(key).or_else(|| imported.get(key)) {
                    Some(pid) => {
                        exported.insert(*key, *pid);
                    }
                    None => self.problems.push(
                        ModuleError::BadExport {
                            module: self.nodes[id].name.clone(),
                            key: *key,
                        }
                        .into(),
                    ),
                }
            }
            // A module's own provider stands in for one it imports.
            let mut visible = own;
            for (k, v) in imported {
                visible.entry(k).or_insert(v);
            }
            self.nodes[id].exported = exported;
            self.nodes[id].visible = visible;
        }
        let globals: Vec<(ProviderKey, ProviderId)> = self
            .nodes
            .iter()
            .filter(|m| m.global)
            .flat_map(|m| m.exported.iter().map(|(k, v)| (*k, *v)))
            .collect();
        for m in &mut self.nodes {
            for (k, v) in &globals {
                m.visible.entry(*k).or_insert(*v);
            }
        }
    }

    fn views(&self) -> Vec<View> {
        self.nodes
            .iter()
            .map(|n| View {
                name: n.name.clone(),
                visible: n.visible.clone(),
            })
            .collect()
    }

    /// What the application resolves from the container besides providers: controllers
    /// (and what their guards, interceptors, filters and handlers need), the modules' global
    /// guards, interceptors and filters, and their provided layers.
    fn consumers(&self) -> Vec<Consumer> {
        let mut out = Vec::new();
        for (module, mounts) in self.mounts.iter().enumerate() {
            for c in &mounts.controllers {
                out.push(Consumer {
                    name: c.name.to_owned(),
                    singleton: c.name.to_owned(),
                    module,
                    deps: (c.dependencies)(),
                    per_request: false,
                });
                for (who, deps) in (c.enhancer_dependencies)() {
                    // `Ctrl::route (Inject)`: a handler's `Inject<T>`, resolved per request.
                    // `Ctrl → AuthGuard`: a guard, built once.
                    let per_request = who.ends_with("(Inject)");
                    let singleton = who.rsplit(" → ").next().unwrap_or(&who).to_owned();
                    out.push(Consumer {
                        name: who,
                        singleton,
                        module,
                        deps,
                        per_request,
                    });
                }
            }
        }
        for (module, parts) in &self.parts {
            let here = &self.nodes[*module].name;
            let enhancers = parts.guards.iter().map(|g| (g.name, (g.dependencies)()));
            let enhancers = enhancers
                .chain(
                    parts
                        .interceptors
                        .iter()
                        .map(|i| (i.name, (i.dependencies)())),
                )
                .chain(parts.filters.iter().map(|f| (f.name, (f.dependencies)())));
            for (name, deps) in enhancers {
                out.push(Consumer {
                    name: format!("{here} (global) → {name}"),
                    singleton: name.to_owned(),
                    module: *module,
                    deps,
                    per_request: false,
                });
            }
            for layer in &parts.layers {
                if let LayerDef::Provided { name, key, .. } = layer {
                    out.push(Consumer {
                        name: format!("{here} (layer)"),
                        singleton: (*name).to_owned(),
                        module: *module,
                        deps: vec![Dependency {
                            key: *key,
                            field: "layer",
                        }],
                        per_request: false,
                    });
                }
            }
        }
        out
    }

    /// How module `module` gets `key`, which it cannot see.
    fn missing_fix(&self, key: ProviderKey, module: ModuleId) -> MissingFix {
        let into = self.nodes[module].name.clone();
        let provider = self.nodes.iter().enumerate().find(|(_, m)| {
            m.providers
                .iter()
                .any(|&p| self.entries[p].provider.keys.contains(&key))
        });
        match provider {
            Some((_, m)) if m.exports.contains(&key) => MissingFix::Import {
                module: m.name.clone(),
                into,
            },
            Some((id, m)) if self.nodes[module].imports.contains(&id) => MissingFix::Export {
                module: m.name.clone(),
            },
            Some((_, m)) => MissingFix::ExportAndImport {
                module: m.name.clone(),
                into,
            },
            None => match ProviderHint::find(key, &into) {
                Some(hint) => MissingFix::Hint(hint),
                None => MissingFix::Provide { into },
            },
        }
    }
}
