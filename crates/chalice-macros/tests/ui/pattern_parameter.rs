use chalice::route;

#[route("/points/{x}")]
fn point((x, y): (u32, u32)) -> String {
    format!("{x} {y}")
}

fn main() {}
