fn main() {
    let client = prolific::Client::builder()
        .token("t")
        .base_url("http://127.0.0.1:1")
        .build()
        .unwrap();
    println!(
        "generated get send: {}",
        std::mem::size_of_val(&client.raw().get_participant_group().id("x").send())
    );
    let http = reqwest::Client::new();
    let req = http.get("http://x").build().unwrap();
    println!(
        "reqwest execute: {}",
        std::mem::size_of_val(&http.execute(req))
    );
}
