use chalice::route;

struct Api;

impl Api {
    #[route("/")]
    fn index(&self) -> &'static str {
        "hi"
    }
}

fn main() {}
