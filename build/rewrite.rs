//! Rewrites of the generated client that make each call cheaper and change nothing on the
//! wire. progenitor's output is the starting point; three of its patterns cost every call more
//! than they need to, and are rewritten here (the helpers they now call are in
//! `src/overrides.rs`, which says what each saves):
//!
//! 1. `api-version`, the one header progenitor adds to every request, is put into a fresh
//!    one-entry `HeaderMap` that is then merged into the request (`.headers(header_map)`). It
//!    becomes a plain `.header(..)` on the request builder, its name a constant. Operations
//!    with header parameters, whose map holds more than that one header, are left as
//!    generated.
//! 2. `ResponseValue::from_response` and `ResponseValue::empty` become
//!    `crate::overrides::from_response` and `crate::overrides::empty`.
//! 3. `encode_path(&x.to_string())` in the `format!` of a URL becomes
//!    `crate::overrides::PathSegment(&x)`.
//!
//! Each rewrite looks for the exact shape progenitor 0.15 writes and leaves anything else
//! alone, so a progenitor that writes otherwise still gives a working client, only a slower
//! one. `tests/spec.rs` checks that the committed client has all three rewrites.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{
    Block, Expr, ExprMethodCall, Macro, Stmt, Token,
    punctuated::Punctuated,
    visit_mut::{self, VisitMut},
};

/// How many places each rewrite changed.
#[derive(Debug, Default)]
pub struct Counts {
    pub api_version_headers: usize,
    pub responses: usize,
    pub path_segments: usize,
}

/// Applies the three rewrites to the generated code.
pub fn run(file: &mut syn::File) -> Counts {
    let mut rewriter = Rewriter::default();
    rewriter.visit_file_mut(file);
    rewriter.counts
}

#[derive(Default)]
struct Rewriter {
    counts: Counts,
}

/// The local progenitor keeps its extra headers in.
const HEADER_MAP: &str = "header_map";

impl VisitMut for Rewriter {
    fn visit_block_mut(&mut self, block: &mut Block) {
        if inline_api_version(block) {
            self.counts.api_version_headers += 1;
        }
        visit_mut::visit_block_mut(self, block);
    }

    fn visit_expr_path_mut(&mut self, expr: &mut syn::ExprPath) {
        let names: Vec<String> = expr
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        match names.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            ["ResponseValue", "from_response"] => {
                expr.path = syn::parse_quote!(crate::overrides::from_response);
                self.counts.responses += 1;
            }
            ["ResponseValue", "empty"] => {
                expr.path = syn::parse_quote!(crate::overrides::empty);
                self.counts.responses += 1;
            }
            _ => {}
        }
        visit_mut::visit_expr_path_mut(self, expr);
    }

    fn visit_macro_mut(&mut self, mac: &mut Macro) {
        if mac.path.is_ident("format")
            && let Ok(mut args) =
                mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
        {
            let mut changed = 0;
            for arg in args.iter_mut() {
                if let Some(value) = encoded_to_string(arg) {
                    *arg = syn::parse_quote!(crate::overrides::PathSegment(&#value));
                    changed += 1;
                }
            }
            if changed > 0 {
                mac.tokens = args.to_token_stream();
                self.counts.path_segments += changed;
            }
        }
        visit_mut::visit_macro_mut(self, mac);
    }
}

/// `x` when `arg` is `encode_path(&x.to_string())`.
fn encoded_to_string(arg: &Expr) -> Option<Expr> {
    let Expr::Call(call) = arg else { return None };
    let Expr::Path(function) = &*call.func else {
        return None;
    };
    if !function.path.is_ident("encode_path") || call.args.len() != 1 {
        return None;
    }
    let Expr::Reference(reference) = &call.args[0] else {
        return None;
    };
    let Expr::MethodCall(to_string) = &*reference.expr else {
        return None;
    };
    (to_string.method == "to_string" && to_string.args.is_empty())
        .then(|| (*to_string.receiver).clone())
}

/// In a block that makes `header_map` hold `api-version` alone and then merges it into the
/// request with `.headers(header_map)`, adds the header with `.header(..)` instead and drops
/// the map. Returns whether it did.
fn inline_api_version(block: &mut Block) -> bool {
    let Some(at) = block.stmts.iter().position(declares_header_map) else {
        return false;
    };
    let Some(Stmt::Expr(Expr::MethodCall(append), Some(_))) = block.stmts.get(at + 1) else {
        return false;
    };
    if append.method != "append"
        || !is_ident(&append.receiver, HEADER_MAP)
        || append.args.len() != 2
        || !append.args[0]
            .to_token_stream()
            .to_string()
            .contains("\"api-version\"")
    {
        return false;
    }
    let (name, value) = (append.args[0].clone(), append.args[1].clone());
    // The map must be used exactly once more, by the `.headers(header_map)` to replace.
    let uses: usize = block.stmts[at + 2..]
        .iter()
        .map(|s| mentions(s.to_token_stream(), HEADER_MAP))
        .sum();
    if uses != 1 {
        return false;
    }
    let mut merge = MergeToHeader {
        name,
        value,
        done: false,
    };
    for stmt in &mut block.stmts[at + 2..] {
        merge.visit_stmt_mut(stmt);
    }
    if merge.done {
        block.stmts.drain(at..at + 2);
    }
    merge.done
}

/// `let mut header_map = ...::HeaderMap::with_capacity(..);`
fn declares_header_map(stmt: &Stmt) -> bool {
    let Stmt::Local(local) = stmt else {
        return false;
    };
    let syn::Pat::Ident(pat) = &local.pat else {
        return false;
    };
    pat.ident == HEADER_MAP
        && local.init.as_ref().is_some_and(|init| {
            let text = init.expr.to_token_stream().to_string().replace(' ', "");
            text.ends_with("HeaderMap::with_capacity(1usize)")
        })
}

fn is_ident(expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Path(p) if p.path.is_ident(name))
}

/// How many times the identifier `name` occurs in `tokens`.
fn mentions(tokens: TokenStream, name: &str) -> usize {
    tokens
        .into_iter()
        .map(|tree| match tree {
            proc_macro2::TokenTree::Ident(ident) => usize::from(ident == name),
            proc_macro2::TokenTree::Group(group) => mentions(group.stream(), name),
            _ => 0,
        })
        .sum()
}

/// Replaces `<builder>.headers(header_map)` with `<builder>.header(name, value)`.
struct MergeToHeader {
    name: Expr,
    value: Expr,
    done: bool,
}

impl VisitMut for MergeToHeader {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if let Expr::MethodCall(ExprMethodCall {
            receiver,
            method,
            args,
            ..
        }) = expr
            && method == "headers"
            && args.len() == 1
            && is_ident(&args[0], HEADER_MAP)
        {
            // The name is made once, at compile time, rather than checked on every call.
            let (name, value) = (&self.name, &self.value);
            *expr = syn::parse_quote!(#receiver.header(const { #name }, #value));
            self.done = true;
        }
        visit_mut::visit_expr_mut(self, expr);
    }
}
