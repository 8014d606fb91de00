//! Compile-time behaviour of the macros: what compiles (`ui/pass`) and every error they
//! report (`ui/fail`, one error per file, with its expected `.stderr`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
