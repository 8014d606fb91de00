//! Modules: the unit of composition. A module lists what it imports, provides, mounts
//! (controllers) and exports; `#[module(..)]` writes the [`Module`] impl.
//!
//! A *dynamic* module is a [`ModuleDef`] value built at run time, as
//! `MailerModule::for_root(options)` returns. Modules encapsulate: an importer sees only
//! what a module exports, except for `global` modules, whose exports every module sees.
//!
//! The module graph (`graph`) flattens the imports into the container's providers and
//! per-module views, checks encapsulation, and lists what the application needs from the
//! container (controllers, guards, handlers' `Inject<T>`, provided layers) so that the
//! container checks it with everything else.

mod def;
mod error;
mod graph;
mod import;
mod parts;

pub use def::ModuleDef;
pub use error::ModuleError;
pub(crate) use graph::{ModuleGraph, Mounts};
pub use import::{Import, IntoImport};
pub(crate) use parts::{AppParts, LayerDef};

/// A statically declared module (written by `#[module]`).
pub trait Module: 'static {
    /// The module's definition.
    fn definition() -> ModuleDef;
}

/// A dynamic module: what `for_root`-style constructors return.
pub type DynamicModule = ModuleDef;
