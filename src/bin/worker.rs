fn main() {
    trailscope::worker::run(None);
}
