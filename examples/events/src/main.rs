//! Runs the events example: locally, the API and the nightly job; on Lambda, the function
//! `CHALICE_HANDLER` names.

fn main() {
    chalice::run(events::app());
}
