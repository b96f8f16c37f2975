//! The project's commands: `cargo xtask serve | test | bench | dist | setup`.
//!
//! Each command first installs the pinned tools it needs when they are missing (the wasm target, Trunk,
//! wasm-bindgen-cli, wasm-opt and Playwright from npm, Chromium), so a new machine needs nothing else.
//! Versions live here and in Trunk.toml / Cargo.toml / package.json; change them together.

mod imports;

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const TRUNK_VERSION: &str = "0.21.14";
const WASM_BINDGEN_VERSION: &str = "0.2.130";

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let command = args.first().map(String::as_str).unwrap_or("help");
    let outcome = match command {
        "setup" => setup(Needs::All),
        "serve" => serve(),
        "dist" => dist(),
        "test" => test(),
        "bench" => bench(),
        _ => {
            eprintln!("usage: cargo xtask <serve|test|bench|dist|setup>");
            eprintln!("  serve  build the page and serve it on http://127.0.0.1:8080");
            eprintln!(
                "  test   every test: the core and the page's rules natively, then the built page in headless Chromium"
            );
            eprintln!("  bench  ingest, query, command-line and keystroke speed beside `gzip -dc | jq` (and DuckDB),");
            eprintln!("         page weight, and the long property-test run");
            eprintln!("  dist   build the page into dist/");
            eprintln!("  setup  install the pinned tools (done by the other commands as needed)");
            return if command == "help" { ExitCode::SUCCESS } else { ExitCode::FAILURE };
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask {command}: {message}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

#[derive(PartialEq, Eq)]
enum Needs {
    Build,
    All,
}

fn setup(needs: Needs) -> Result {
    let root = root();
    let cargo_bin = home_cargo_bin();
    let node_bin = root.join("node_modules").join(".bin");
    // Put the tools we install first on PATH, for us and for Trunk, which looks them up there.
    let path = env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![node_bin, cargo_bin];
    paths.extend(env::split_paths(&path));
    let joined = env::join_paths(paths).map_err(|e| format!("PATH: {e}"))?;
    env::set_var("PATH", joined);
    env::set_var("TRUNK_SKIP_VERSION_CHECK", "true");

    add_target("wasm32-unknown-unknown")?;
    if !output("trunk", &["--version"]).is_some_and(|v| v.contains(TRUNK_VERSION)) {
        println!("installing trunk {TRUNK_VERSION} (about ten minutes, once)");
        run(Command::new("cargo").args(["install", "--locked", "trunk", "--version", TRUNK_VERSION]))?;
    }
    if !output("wasm-bindgen", &["--version"]).is_some_and(|v| v.contains(WASM_BINDGEN_VERSION)) {
        println!("installing wasm-bindgen-cli {WASM_BINDGEN_VERSION}");
        // Not --locked: its lock file wants a crate version the registry mirror lacks.
        run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN_VERSION]))?;
    }
    let lock_stamp = root.join("node_modules").join(".package-lock.json");
    if !lock_stamp.exists() || modified(&root.join("package-lock.json")) > modified(&lock_stamp) {
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&root))?;
    }
    if needs == Needs::All && !Path::new("/usr/bin/chromium").exists() {
        println!("installing Debian's chromium for the browser tests");
        let sudo: &[&str] = if is_root() { &[] } else { &["sudo"] };
        let apt = |args: &[&str]| {
            let mut all: Vec<&str> = sudo.to_vec();
            all.push("apt-get");
            all.extend_from_slice(args);
            run(Command::new(all[0]).args(&all[1..]).env("DEBIAN_FRONTEND", "noninteractive"))
        };
        apt(&["update"])?;
        apt(&["install", "-y", "--no-install-recommends", "chromium"])?;
    }
    Ok(())
}

fn serve() -> Result {
    setup(Needs::Build)?;
    println!("serving on http://127.0.0.1:8080 (Ctrl-C to stop); the sample is one click away");
    run(Command::new("trunk").args(["serve", "--offline", "--release"]).current_dir(root()))
}

fn dist() -> Result {
    setup(Needs::Build)?;
    build_page()
}

/// Builds the page into dist/, and beside it the same page as one self-contained file.
fn build_page() -> Result {
    run(Command::new("trunk").args(["build", "--offline", "--release"]).current_dir(root()))?;
    // The hashes in the names wasm-bindgen gives imports: about 4 KB of every first visit (see `imports`).
    for name in ["page", "worker", "tools"] {
        let (js, wasm) =
            (root().join("dist").join(format!("{name}.js")), root().join("dist").join(format!("{name}_bg.wasm")));
        let glue = std::fs::read_to_string(&js).map_err(|e| format!("dist/{name}.js: {e}"))?;
        let module = std::fs::read(&wasm).map_err(|e| format!("dist/{name}_bg.wasm: {e}"))?;
        let (module, glue) = imports::shorten(&module, &glue).map_err(|e| format!("dist/{name}: {e}"))?;
        std::fs::write(&js, glue).map_err(|e| format!("dist/{name}.js: {e}"))?;
        std::fs::write(&wasm, module).map_err(|e| format!("dist/{name}_bg.wasm: {e}"))?;
    }
    // Our own start-up module and service worker are copied as written, their comments included: every
    // first visit downloads both.
    for name in ["page.js", "boot.js", "sw.js"] {
        let path = root().join("dist").join(name);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("dist/{name}: {e}"))?;
        if let Some(trimmed) = trim_glue(&text) {
            std::fs::write(&path, trimmed).map_err(|e| format!("dist/{name}: {e}"))?;
        }
    }
    // Trunk leaves the page's own `rel=rust` link in place, read by nothing once built: bytes every first
    // visit downloads.
    let html = root().join("dist").join("index.html");
    let text = std::fs::read_to_string(&html).map_err(|e| format!("dist/index.html: {e}"))?;
    // `data-integrity=none` only told Trunk not to hash the stylesheet.
    let text = without_trunk_links(&text).replace(" data-integrity=none", "");
    std::fs::write(&html, text).map_err(|e| format!("dist/index.html: {e}"))?;
    single_file(&root().join("dist"))
}

/// `html` without its `<link>` elements that still carry `data-trunk`.
fn without_trunk_links(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<link ") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('>').map_or(rest.len(), |end| at + end + 1);
        let link = &rest[at..end];
        if !link.contains("data-trunk") {
            out.push_str(link);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// A script without its indentation and whole-line comments. For wasm-bindgen's glue for the page, which
/// Trunk's minifier cannot read (it stops at `export default`), this takes about 950 B off every first
/// visit; for `boot.js` and `sw.js`, which Trunk copies as they are, about 350 B. Only
/// when no line can sit inside a string or comment that spans lines, whose text this would change;
/// otherwise `None`, and the glue stays as it is.
fn trim_glue(text: &str) -> Option<String> {
    let spans_lines = |line: &str| line.matches('`').count() % 2 == 1 || line.trim_end().ends_with('\\');
    if text.contains("/*") || text.lines().any(spans_lines) {
        return None;
    }
    let kept: Vec<&str> =
        text.lines().map(str::trim_start).filter(|line| !line.is_empty() && !line.starts_with("//")).collect();
    Some(kept.join("\n") + "\n")
}

/// Writes `dist/trailscope.html`: the page, its style, its code and both wasm modules in one file that works
/// when opened from disk (file://), for a laptop with no network. The CSP admits exactly the inline script
/// and style by their hashes; workers come from blob: URLs carrying the worker's glue and wasm.
fn single_file(dist: &Path) -> Result {
    use base64::Engine as _;
    use sha2::Digest as _;
    let read = |name: &str| std::fs::read(dist.join(name)).map_err(|e| format!("dist/{name}: {e}"));
    let text = |name: &str| read(name).and_then(|b| String::from_utf8(b).map_err(|e| format!("dist/{name}: {e}")));
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let glue = text("page.js")?;
    // The glue is an ES module; inline, it is the script itself, so its export line goes.
    let glue: String = glue.lines().filter(|l| !l.starts_with("export {")).collect::<Vec<_>>().join("\n");
    let worker = |name: &str| -> Result<String> {
        Ok(format!(
            "{{ glue: {}, wasm: \"{}\" }}",
            js_string(&text(&format!("{name}.js"))?),
            b64(&read(&format!("{name}_bg.wasm"))?)
        ))
    };
    let script = format!(
        "{glue}\nconst bytes = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));\n\
         window.__trailscopeWorkers = {{ worker: {}, tools: {} }};\n\
         __wbg_init({{ module_or_path: bytes(\"{}\") }});\n",
        worker("worker")?,
        worker("tools")?,
        b64(&read("page_bg.wasm")?)
    );
    let style = text("app.css")?;
    let hash = |s: &str| b64(&sha2::Sha256::digest(s.as_bytes()));
    let csp = format!(
        "default-src 'none'; script-src 'sha256-{}' 'wasm-unsafe-eval'; style-src 'sha256-{}'; img-src data:; \
         worker-src blob:; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'",
        hash(&script),
        hash(&style)
    );
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n\
         <link rel=\"icon\" href=\"data:,\">\n<title>trailscope: Amazon Transcribe in your CloudTrail logs</title>\n\
         <style>{style}</style>\n<script type=\"module\">{script}</script>\n</head>\n<body></body>\n</html>\n"
    );
    std::fs::write(dist.join("trailscope.html"), html).map_err(|e| format!("dist/trailscope.html: {e}"))
}

/// `text` as a JavaScript string literal (JSON's rules are JavaScript's).
fn js_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Keeps the script element from being closed early by text inside the string.
            '<' => out.push_str("\\u003c"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn test() -> Result {
    setup(Needs::All)?;
    let root = root();
    // The page's crate too: its few rules that need no browser (time left, how numbers are written) are
    // tested natively like the core.
    run(Command::new("cargo").args(["test", "--workspace"]).current_dir(&root))?;
    sql_check(&root)?;
    build_page()?;
    let corpus = env::var_os("TRAILSCOPE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("..").join("shared").join("corpus").join("real"));
    // 100 generated delivery files with the generator's truth, for the browser tests' exact counts.
    let generated = root.join("target").join("e2e-generated");
    generate(&generated, 20_000, 100, "dev")?;
    run(Command::new("node")
        .args(["--test", "--test-concurrency=1", "tests/e2e/"])
        .env("TRAILSCOPE_DIST", root.join("dist"))
        .env("TRAILSCOPE_CORPUS", corpus)
        .env("TRAILSCOPE_GENERATED", generated)
        .current_dir(&root))
}

/// "Copy as SQL" means what the page means: the core answers every query of the shared table over generated
/// delivery files, DuckDB runs the DuckDB SQL over the same files and must return the same events, and sqlglot
/// must parse the Athena and Lake SQL (`tests/sql/check.py`).
fn sql_check(root: &Path) -> Result {
    let python = python_env(root)?;
    let out = root.join("target").join("sql-check");
    run(Command::new("cargo")
        .args(["run", "--release", "-q", "-p", "trailscope-core", "--example", "sql_cases", "--"])
        .arg(&out)
        .current_dir(root))?;
    run(Command::new(python).arg(root.join("tests").join("sql").join("check.py")).arg(&out).current_dir(root))
}

/// The Python with the pinned DuckDB and sqlglot (`tests/sql/requirements.txt`): a virtual environment in
/// `target/py`, made once and reinstalled only when the requirements change, never the system's Python.
/// Returns its interpreter; the benchmarks can run DuckDB with it too.
pub fn python_env(root: &Path) -> Result<PathBuf> {
    let venv = root.join("target").join("py");
    let python = venv.join("bin").join("python");
    if !python.exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv)).map_err(|e| {
            format!("{e}; the SQL check needs Python 3 with venv (Debian: apt-get install python3-venv)")
        })?;
    }
    let requirements = root.join("tests").join("sql").join("requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).map_err(|e| format!("{}: {e}", requirements.display()))?;
    // pip takes seconds even when everything is there: a copy of the requirements it installed says so.
    let stamp = venv.join("requirements.installed");
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(wanted.as_str()) {
        println!("installing the SQL check's Python packages into target/py");
        run(Command::new(venv.join("bin").join("pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&requirements))?;
        std::fs::write(&stamp, &wanted).map_err(|e| format!("{}: {e}", stamp.display()))?;
    }
    Ok(python)
}

/// Installs a Rust target unless rustup has it already.
fn add_target(target: &str) -> Result {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|t| t.trim() == target) {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", target]))
}

fn bench() -> Result {
    setup(Needs::All)?;
    let root = root();
    run(Command::new("cargo").args(["bench", "-p", "trailscope-core", "--bench", "ingest"]).current_dir(&root))?;
    run(Command::new("cargo").args(["bench", "-p", "trailscope-core", "--bench", "query"]).current_dir(&root))?;
    // The same query figures in wasm, in Node's V8 (the runner is tests/bench/wasi.mjs): the core alone,
    // without the page around it.
    add_target("wasm32-wasip1")?;
    run(Command::new("cargo")
        .args(["bench", "-p", "trailscope-core", "--bench", "query", "--target", "wasm32-wasip1"])
        .env("TRAILSCOPE_QUERY_TABLE_ONLY", "1")
        .current_dir(&root))?;
    // The property tests' long run (CI runs a short budget): a few minutes of arbitrary and damaged input.
    run(Command::new("cargo")
        .args(["test", "--profile", "bench", "-p", "trailscope-core", "--test", "robustness"])
        .env("PROPTEST_CASES", "50000")
        .current_dir(&root))?;
    // The command line on about 2 GB of JSON beside gzip -dc | jq and DuckDB (from the SQL check's Python).
    python_env(&root)?;
    run(Command::new("cargo").args(["bench", "-p", "trailscope-cli", "--bench", "scan"]).current_dir(&root))?;
    build_page()?;
    let generated = root.join("target").join("bench-generated");
    generate(&generated, 200_000, 100, "release")?;
    // The same number of events in 4,000 small files, as quiet accounts' trails deliver them.
    let many = root.join("target").join("bench-generated-many");
    generate(&many, 200_000, 4_000, "release")?;
    // The native command line runs beside the page on the same files, for the wasm-against-native ratio,
    // and so does the core's ingest alone as a wasm module in a Chromium worker (the command's ingest on
    // one thread, without its start, file reads and summary).
    run(Command::new("cargo").args(["build", "--release", "-p", "trailscope-cli"]).current_dir(&root))?;
    run(Command::new("cargo")
        .args(["build", "--release", "-p", "trailscope-core", "--example", "wasm_ingest", "--target", "wasm32-wasip1"])
        .current_dir(&root))?;
    run(Command::new("node")
        .args(["tests/bench/browser.mjs"])
        .env("TRAILSCOPE_DIST", root.join("dist"))
        .env("TRAILSCOPE_CLI", root.join("target").join("release").join("trailscope"))
        .env(
            "TRAILSCOPE_WASM_INGEST",
            root.join("target").join("wasm32-wasip1").join("release").join("examples").join("wasm_ingest.wasm"),
        )
        .env("TRAILSCOPE_GENERATED", generated)
        .env("TRAILSCOPE_GENERATED_MANY", many)
        .current_dir(&root))?;
    // A million events in the page: keystroke to table, and memory.
    let million = root.join("target").join("bench-million");
    generate(&million, 1_000_000, 200, "release")?;
    run(Command::new("node")
        .args(["tests/bench/keystroke.mjs"])
        .env("TRAILSCOPE_DIST", root.join("dist"))
        .env("TRAILSCOPE_KEYSTROKE_SET", &million)
        .current_dir(&root))?;
    std::fs::remove_dir_all(&million).map_err(|e| format!("{}: {e}", million.display()))?;
    // Peak memory over about 2 GB of gzip (16 million records): bounded, in bytes per kept event.
    let large = root.join("target").join("bench-2gb");
    generate(&large, 16_000_000, 1_600, "release")?;
    let measured = run(Command::new("node")
        .args(["tests/bench/memory.mjs"])
        .env("TRAILSCOPE_DIST", root.join("dist"))
        .env("TRAILSCOPE_MEMORY_SET", &large)
        .current_dir(&root));
    std::fs::remove_dir_all(&large).map_err(|e| format!("{}: {e}", large.display()))?;
    measured
}

/// Writes generated delivery files and their truth (`truth.json`) into `dir`, afresh.
fn generate(dir: &Path, n_events: usize, n_files: usize, profile: &str) -> Result {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let dir_arg = dir.to_string_lossy().into_owned();
    let (events, files) = (n_events.to_string(), n_files.to_string());
    run(Command::new("cargo")
        .args(["run", "--quiet", "--profile", profile, "-p", "trailscope-core", "--example", "generate", "--"])
        .args([dir_arg.as_str(), events.as_str(), files.as_str()])
        .stdout(std::process::Stdio::null())
        .current_dir(root()))
}

fn run(command: &mut Command) -> Result {
    let shown = format!("{command:?}");
    let status = command.status().map_err(|e| format!("could not start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn home_cargo_bin() -> PathBuf {
    env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default()
        .join("bin")
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn is_root() -> bool {
    output("id", &["-u"]).is_some_and(|id| id.trim() == "0")
}

#[cfg(test)]
mod tests {
    use super::{trim_glue, without_trunk_links};

    #[test]
    fn only_the_links_trunk_left_go() {
        let html = "<title>t</title><link data-bin=page data-trunk rel=rust><link href=./app.css rel=stylesheet><script src=./boot.js></script>";
        assert_eq!(
            without_trunk_links(html),
            "<title>t</title><link href=./app.css rel=stylesheet><script src=./boot.js></script>"
        );
    }

    #[test]
    fn glue_loses_indentation_and_comment_lines_only() {
        let glue = "function f(a) {\n    // why\n    const s = `${a} // not a comment`;\n\n    return s; // kept\n}\n";
        assert_eq!(
            trim_glue(glue).as_deref(),
            Some("function f(a) {\nconst s = `${a} // not a comment`;\nreturn s; // kept\n}\n")
        );
    }

    #[test]
    fn glue_with_text_spanning_lines_is_left_alone() {
        for glue in ["const s = `a\n    b`;\n", "/* a\n   b */\n", "const s = 'a\\\n    b';\n"] {
            assert_eq!(trim_glue(glue), None, "{glue}");
        }
    }
}
