fn main() {
    trailscope::worker::run();
}
