fn main() {
    yew::Renderer::<trailscope::app::App>::new().render();
}
