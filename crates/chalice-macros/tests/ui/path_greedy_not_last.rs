use chalice::route;

#[route("/files/{path+}/meta")]
fn meta(path: &str) -> String {
    path.to_owned()
}

fn main() {}
