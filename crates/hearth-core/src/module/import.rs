//! What stands in a module's `imports`.

use std::any::TypeId;

use super::{Module, ModuleDef};

/// An entry of a module's imports.
pub struct Import(ImportKind);

enum ImportKind {
    Static { id: TypeId, def: fn() -> ModuleDef },
    Dynamic(Box<ModuleDef>),
}

impl Import {
    /// Imports the static module `M`. Importing it twice gives one instance.
    pub fn of<M: Module>() -> Self {
        Import(ImportKind::Static {
            id: TypeId::of::<M>(),
            def: M::definition,
        })
    }

    /// The static module's `TypeId` (none for a dynamic module) and its definition.
    pub(crate) fn into_parts(self) -> (Option<TypeId>, ModuleDef) {
        match self.0 {
            ImportKind::Static { id, def } => (Some(id), def()),
            ImportKind::Dynamic(def) => (None, *def),
        }
    }
}

impl std::fmt::Debug for Import {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            ImportKind::Static { .. } => f.write_str("Import(static)"),
            ImportKind::Dynamic(def) => write!(f, "Import({})", def.name()),
        }
    }
}

/// What can stand in a module's `imports`: a static module (its unit value, as in
/// `imports = [UsersModule]`) or a dynamic module (`MailerModule::for_root(..)`).
pub trait IntoImport {
    /// Converts into an import.
    fn into_import(self) -> Import;
}

impl<M: Module> IntoImport for M {
    fn into_import(self) -> Import {
        Import::of::<M>()
    }
}

impl IntoImport for ModuleDef {
    fn into_import(self) -> Import {
        Import(ImportKind::Dynamic(Box::new(self)))
    }
}

impl IntoImport for Import {
    fn into_import(self) -> Import {
        self
    }
}
