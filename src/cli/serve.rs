//! `bpfpress serve`: the local web page (`bpfpress::serve`).

use bpfpress::serve::{self, DEFAULT_MAX_UPLOAD_MB, Options};
use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// Start a local web page that does what the command line does: check
/// drafts, publish the report and the takeaways sheet, prepare and send a
/// mailing, build a project. Prints its address; Ctrl-C stops it and
/// removes every uploaded file.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    bpfpress serve                       # http://127.0.0.1:8080/\n  \
    bpfpress serve my-bpf                # with the project's page, its report and recipients\n  \
    bpfpress serve --port 0              # a free port (printed)\n  \
    bpfpress serve --bind 0.0.0.0 --token \"$(openssl rand -hex 16)\"\n\n\
    It listens on 127.0.0.1 (this computer only). Another address needs --token: every\n\
    visitor then opens the printed address, which carries it. Uploads live in a private\n\
    temporary folder and are removed. Exit codes: 0 stopped; 2 bad arguments or project.")]
pub struct Args {
    /// A project folder holding bpf.toml: adds the Project page (last
    /// build, Build button) and lets the Mailing page use the project's
    /// report, recipients and SMTP server.
    #[arg(value_name = "PROJECT_DIR")]
    project: Option<PathBuf>,
    /// Port to listen on (0: a free one, printed).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on. Anything but loopback needs --token.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Access token every visitor must present (at least 16 letters,
    /// digits, '-' or '_'); required with a non-loopback --bind.
    #[arg(long, value_name = "SECRET")]
    token: Option<String>,
    /// Largest upload per form, in MB.
    #[arg(long, value_name = "MB", default_value_t = DEFAULT_MAX_UPLOAD_MB)]
    max_upload: u64,
}

pub fn run(args: Args) -> ExitCode {
    let opts = Options {
        bind: args.bind,
        port: args.port,
        token: args.token,
        project: args.project,
        max_upload: args.max_upload.saturating_mul(1 << 20),
    };
    let result = serve::run(opts, |url| {
        println!("bpfpress serve: open {url} in a browser (Ctrl-C stops the server)");
        let _ = std::io::stdout().flush();
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(bpfpress::pipeline::EXIT_INPUT)
        }
    }
}
