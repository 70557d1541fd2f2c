//! The `curtop` binary: parse the command line, run the library.

fn main() {
    std::process::exit(curtop::cli::run(std::env::args_os().skip(1).collect()));
}
