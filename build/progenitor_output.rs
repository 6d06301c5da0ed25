//! What the surface listing (`build/surface.rs`) reads from progenitor's output: each
//! operation's request builder, the `Client` method that returns it, its fields, and the types
//! its `send` returns.
//!
//! progenitor has no API that describes what it generated, so this finds it by the shape of the
//! code progenitor 0.15 writes (checked against its output, not promised by it):
//!
//! * a top-level `builder` module holding one struct per operation, whose `impl` has a
//!   `send` method;
//! * inside `send`, a statement `let info = OperationInfo { operation_id: "<id>", .. };`,
//!   which ties the builder to its operationId;
//! * `send` returning `Result<ResponseValue<T>, Error<E>>`;
//! * an inherent `impl Client` whose methods return the builders.
//!
//! If a later progenitor writes these differently, operations come out as `<not generated>`
//! in the listing, and `tests/it/spec.rs` (`surface_listing_finds_every_operation`) fails.

use std::collections::BTreeMap;

use syn::{Expr, GenericArgument, ImplItem, Item, Lit, PathArguments, ReturnType, Stmt, Type};

/// What the generated code says about one operation: its request builder and client method.
#[derive(Default)]
pub(crate) struct GeneratedOperation {
    /// The `Client` method that starts the request.
    pub(crate) method: Option<String>,
    /// The builder's fields (parameters and `body`) with their types, `Result<T, String>` unwrapped.
    pub(crate) fields: BTreeMap<String, String>,
    /// The `T` of `ResponseValue<T>` that `send` returns.
    pub(crate) success: String,
    /// The `E` of `Error<E>` that `send` returns.
    pub(crate) error: String,
}

/// The items of the top-level module `name` of the generated file.
pub(crate) fn module_items<'a>(items: &'a [Item], name: &str) -> &'a [Item] {
    items
        .iter()
        .find_map(|item| match item {
            Item::Mod(module) if module.ident == name => {
                module.content.as_ref().map(|(_, items)| items.as_slice())
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// The operations of the generated code, by operationId: the request builders of the
/// top-level `builder` module, each matched with the `Client` method that returns it.
pub(crate) fn generated_operations(file: &syn::File) -> BTreeMap<String, GeneratedOperation> {
    let client_methods = client_methods(&file.items);
    let builders = module_items(&file.items, "builder");
    let mut operations = BTreeMap::new();
    for item in builders {
        let Item::Impl(imp) = item else { continue };
        let Some(builder) = last_ident(&imp.self_ty) else {
            continue;
        };
        for impl_item in &imp.items {
            let ImplItem::Fn(send) = impl_item else {
                continue;
            };
            if send.sig.ident != "send" {
                continue;
            }
            let Some(id) = send.block.stmts.iter().find_map(operation_id) else {
                continue;
            };
            let (success, error) = send_types(&send.sig.output);
            operations.insert(
                id,
                GeneratedOperation {
                    method: client_methods.get(&builder).cloned(),
                    fields: builder_fields(builders, &builder),
                    success,
                    error,
                },
            );
        }
    }
    operations
}

/// `Client` methods that return a request builder, by the builder's name.
fn client_methods(items: &[Item]) -> BTreeMap<String, String> {
    let mut methods = BTreeMap::new();
    for item in items {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || last_ident(&imp.self_ty).as_deref() != Some("Client") {
            continue;
        }
        for impl_item in &imp.items {
            let ImplItem::Fn(method) = impl_item else {
                continue;
            };
            if let ReturnType::Type(_, ty) = &method.sig.output
                && let Some(builder) = last_ident(ty)
            {
                methods.insert(builder, method.sig.ident.to_string());
            }
        }
    }
    methods
}

/// The fields of the builder struct `name`, but `client`; `Result<T, String>` shown as `T`.
fn builder_fields(builders: &[Item], name: &str) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    for item in builders {
        let Item::Struct(builder) = item else {
            continue;
        };
        if builder.ident != name {
            continue;
        }
        for field in &builder.fields {
            let Some(ident) = &field.ident else { continue };
            if ident == "client" {
                continue;
            }
            let ty = generic_args(&field.ty)
                .first()
                .map_or_else(|| type_name(&field.ty), |ok| type_name(ok));
            fields.insert(ident.to_string(), ty);
        }
    }
    fields
}

/// The operationId in `let info = OperationInfo { operation_id: "..." };`, if `stmt` is that.
fn operation_id(stmt: &Stmt) -> Option<String> {
    let Stmt::Local(local) = stmt else {
        return None;
    };
    let Expr::Struct(info) = local.init.as_ref()?.expr.as_ref() else {
        return None;
    };
    info.fields
        .iter()
        .find_map(|field| match (&field.member, &field.expr) {
            (syn::Member::Named(name), Expr::Lit(lit)) if name == "operation_id" => {
                match &lit.lit {
                    Lit::Str(id) => Some(id.value()),
                    _ => None,
                }
            }
            _ => None,
        })
}

/// `T` and `E` of `send`'s `Result<ResponseValue<T>, Error<E>>`.
fn send_types(output: &ReturnType) -> (String, String) {
    let ReturnType::Type(_, ty) = output else {
        return ("()".to_owned(), "()".to_owned());
    };
    let inner = |ty: Option<&&Type>| {
        ty.and_then(|ty| generic_args(ty).first().map(|t| type_name(t)))
            .unwrap_or_else(|| "?".to_owned())
    };
    let args = generic_args(ty);
    (inner(args.first()), inner(args.get(1)))
}

/// The identifier of a path type's last segment: `Client` for `super::Client`.
pub(crate) fn last_ident(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The type arguments of a path type's last segment: `[T, E]` for `Result<T, E>`.
pub(crate) fn generic_args(ty: &Type) -> Vec<&Type> {
    let Type::Path(path) = ty else {
        return Vec::new();
    };
    let Some(PathArguments::AngleBracketed(args)) = path.path.segments.last().map(|s| &s.arguments)
    else {
        return Vec::new();
    };
    args.args
        .iter()
        .filter_map(|arg| match arg {
            GenericArgument::Type(ty) => Some(ty),
            _ => None,
        })
        .collect()
}

/// A type as a person writes it: each path by its last segment, `Option<Vec<String>>`.
pub(crate) fn type_name(ty: &Type) -> String {
    match ty {
        Type::Path(path) => {
            let Some(last) = path.path.segments.last() else {
                return "?".to_owned();
            };
            let args = match &last.arguments {
                PathArguments::None => String::new(),
                PathArguments::AngleBracketed(args) => {
                    let args: Vec<String> = args.args.iter().map(generic_arg_name).collect();
                    format!("<{}>", args.join(", "))
                }
                PathArguments::Parenthesized(_) => "(..)".to_owned(),
            };
            format!("{}{args}", last.ident)
        }
        Type::Reference(r) => {
            let lifetime = r
                .lifetime
                .as_ref()
                .map(|l| format!("'{} ", l.ident))
                .unwrap_or_default();
            let mutability = if r.mutability.is_some() { "mut " } else { "" };
            format!("&{lifetime}{mutability}{}", type_name(&r.elem))
        }
        Type::Tuple(t) => {
            let elems: Vec<String> = t.elems.iter().map(type_name).collect();
            match elems.len() {
                1 => format!("({},)", elems[0]),
                _ => format!("({})", elems.join(", ")),
            }
        }
        Type::Slice(s) => format!("[{}]", type_name(&s.elem)),
        Type::Array(a) => {
            let len = match &a.len {
                Expr::Lit(lit) => match &lit.lit {
                    Lit::Int(n) => n.base10_digits().to_owned(),
                    _ => "_".to_owned(),
                },
                _ => "_".to_owned(),
            };
            format!("[{}; {len}]", type_name(&a.elem))
        }
        Type::Paren(p) => type_name(&p.elem),
        Type::Group(g) => type_name(&g.elem),
        Type::Never(_) => "!".to_owned(),
        _ => "?".to_owned(),
    }
}

/// A generic argument: a type, a lifetime, or `_` for anything else.
fn generic_arg_name(arg: &GenericArgument) -> String {
    match arg {
        GenericArgument::Type(ty) => type_name(ty),
        GenericArgument::Lifetime(l) => format!("'{}", l.ident),
        _ => "_".to_owned(),
    }
}
