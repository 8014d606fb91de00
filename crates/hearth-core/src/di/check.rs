//! The start-up check of the provider graph: every dependency visible, no cycle, no singleton
//! holding a request-scoped provider, async factories singletons only; and the order in which
//! singletons are built.

use super::container::{Entry, ModuleId, ProviderId, View};
use super::provider::Kind;
use super::{Dependency, DiError, MissingFix, ProviderKey, Scope};

/// Something outside the container that needs providers from one module's view: a
/// controller, a guard, a handler's `Inject<T>`, a request layer provided by DI.
pub(crate) struct Consumer {
    /// The head of every chain through it: `UserController`,
    /// `UserController::me (Inject)`, `AppModule (global) → AuthGuard`.
    pub(crate) name: String,
    /// What a scope error calls the singleton that would hold a request-scoped value.
    pub(crate) singleton: String,
    pub(crate) module: ModuleId,
    pub(crate) deps: Vec<Dependency>,
    /// Resolved per request (a handler's `Inject<T>`): may reach request-scoped providers.
    pub(crate) per_request: bool,
}

/// What the check found.
pub(crate) struct Checked {
    /// Singletons, dependencies first.
    pub(crate) order: Vec<ProviderId>,
    pub(crate) problems: Vec<DiError>,
}

/// Checks every dependency of every consumer and provider; `fix` says how a module gets a
/// key it cannot see.
///
/// Consumers are visited first, then the providers no other provider depends on, then the
/// rest: a problem is reported once, with the longest chain that leads to it
/// (`UserController → AuthService → UserRepository`, not `AuthService → UserRepository`).
pub(crate) fn check(
    entries: &[Entry],
    views: &[View],
    consumers: &[Consumer],
    fix: &dyn Fn(ProviderKey, ModuleId) -> MissingFix,
) -> Checked {
    let mut walk = Walk {
        entries,
        views,
        fix,
        state: vec![Visit::New; entries.len()],
        order: Vec::new(),
        problems: Vec::new(),
    };
    for e in entries {
        if matches!(e.provider.kind, Kind::Async(_)) && e.provider.scope != Scope::Singleton {
            walk.problems.push(DiError::AsyncScope {
                provider: e.provider.name.clone(),
            });
        }
    }
    for c in consumers {
        for dep in &c.deps {
            let mut chain = vec![c.name.clone()];
            match views[c.module].visible.get(&dep.key) {
                None => {
                    chain.push(dep.key.to_string());
                    walk.missing(chain, dep.key, c.module);
                }
                Some(&pid) => {
                    if walk.visit(pid, &mut chain) && !c.per_request {
                        chain.push(dep.key.to_string());
                        walk.scope_problem(chain, &c.singleton, pid);
                    }
                }
            }
        }
    }
    let mut depended_on = vec![false; entries.len()];
    for e in entries {
        for dep in &e.provider.deps {
            if let Some(&pid) = views[e.module].visible.get(&dep.key) {
                depended_on[pid] = true;
            }
        }
    }
    let roots = (0..entries.len()).filter(|&id| !depended_on[id]);
    let rest = (0..entries.len()).filter(|&id| depended_on[id]);
    for id in roots.chain(rest) {
        walk.visit(id, &mut Vec::new());
    }
    Checked {
        order: walk.order,
        problems: walk.problems,
    }
}

#[derive(Clone, Copy)]
enum Visit {
    New,
    Active,
    /// Visited; whether it needs a request scope.
    Done(bool),
}

struct Walk<'a> {
    entries: &'a [Entry],
    views: &'a [View],
    fix: &'a dyn Fn(ProviderKey, ModuleId) -> MissingFix,
    state: Vec<Visit>,
    order: Vec<ProviderId>,
    problems: Vec<DiError>,
}

impl Walk<'_> {
    /// Depth-first visit; returns whether the provider needs a request scope.
    fn visit(&mut self, id: ProviderId, chain: &mut Vec<String>) -> bool {
        let entry = &self.entries[id];
        let name = &entry.provider.name;
        match self.state[id] {
            Visit::Done(needs) => return needs,
            Visit::Active => {
                let start = chain.iter().position(|n| n == name).unwrap_or(0);
                let mut cycle = chain[start..].to_vec();
                cycle.push(name.clone());
                self.problems.push(DiError::Cycle {
                    chain: cycle.into(),
                });
                return false;
            }
            Visit::New => {}
        }
        self.state[id] = Visit::Active;
        chain.push(name.clone());
        let scope = entry.provider.scope;
        let mut needs_request = scope == Scope::Request;
        for dep in &entry.provider.deps {
            match self.views[entry.module].visible.get(&dep.key) {
                None => {
                    let mut c = chain.clone();
                    c.push(dep.key.to_string());
                    self.missing(c, dep.key, entry.module);
                }
                Some(&pid) => {
                    let dep_needs = self.visit(pid, chain);
                    if dep_needs && scope == Scope::Singleton {
                        let mut c = chain.clone();
                        c.push(self.entries[pid].provider.name.clone());
                        self.scope_problem(c, name, pid);
                    }
                    needs_request |= dep_needs;
                }
            }
        }
        chain.pop();
        self.state[id] = Visit::Done(needs_request);
        if scope == Scope::Singleton {
            self.order.push(id);
        }
        needs_request
    }

    fn missing(&mut self, chain: Vec<String>, key: ProviderKey, module: ModuleId) {
        self.problems.push(DiError::Missing {
            chain: chain.into(),
            key,
            fix: Box::new((self.fix)(key, module)),
        });
    }

    fn scope_problem(&mut self, chain: Vec<String>, singleton: &str, request: ProviderId) {
        self.problems.push(DiError::ScopeMismatch {
            chain: chain.into(),
            singleton: singleton.to_owned(),
            request: self.entries[request].provider.name.clone(),
        });
    }
}
