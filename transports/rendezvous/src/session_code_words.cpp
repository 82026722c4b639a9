// The 256 words of session codes (session_code.hpp), written for meshmpc:
// animals, food, plants, things and places a person can say and spell without
// help. No two are one edit apart, none is spelled differently in British and
// American English, none is a number word. tests/transports/rendezvous/
// session_code_test.cpp checks the count, the order, the letters and the distance.
#include <meshmpc/rendezvous/session_code.hpp>

namespace meshmpc::rendezvous {

namespace {
constexpr std::array<std::string_view, kSessionCodeWords> kWords{
    "acorn", "adobe", "alarm", "album", "alpine", "amber", "anchor", "angle",
    "antler", "anvil", "apple", "apron", "arrow", "aspen", "atlas", "attic",
    "autumn", "bacon", "badger", "bagpipe", "bamboo", "banjo", "barley", "basil",
    "basket", "beaver", "biscuit", "bishop", "bison", "blanket", "blossom", "bobcat",
    "bonfire", "bottle", "bramble", "breeze", "brick", "bridge", "bronze", "bucket",
    "bugle", "bunny", "butter", "cabin", "cactus", "camel", "candle", "canoe",
    "canyon", "carpet", "cashew", "castle", "cedar", "cello", "cherry", "chimney",
    "circus", "citrus", "clover", "cobalt", "cobra", "coconut", "comet", "compass",
    "cookie", "copper", "coral", "cotton", "cowboy", "coyote", "crater", "crayon",
    "cricket", "crystal", "cupcake", "daisy", "delta", "denim", "desert", "diamond",
    "dolphin", "dragon", "dynamo", "eagle", "elbow", "emerald", "engine", "falcon",
    "feather", "fennel", "fern", "fiddle", "flute", "forest", "fossil", "galaxy",
    "garden", "garlic", "gazelle", "gecko", "geyser", "ginger", "glacier", "gondola",
    "gopher", "granite", "grape", "gravel", "guitar", "hammer", "harvest", "hazel",
    "helmet", "heron", "hickory", "honey", "hornet", "husky", "iceberg", "igloo",
    "indigo", "island", "ivory", "jacket", "jaguar", "jasmine", "jelly", "jigsaw",
    "jungle", "juniper", "kayak", "kettle", "kiwi", "koala", "ladder", "lagoon",
    "lantern", "lemon", "lentil", "lettuce", "lilac", "llama", "lobster", "lotus",
    "magnet", "mango", "maple", "marble", "marmot", "meadow", "mermaid", "meteor",
    "mitten", "mocha", "monkey", "mosaic", "muffin", "mustard", "napkin", "nectar",
    "nickel", "nomad", "noodle", "nugget", "nutmeg", "oasis", "octopus", "olive",
    "onion", "orange", "orbit", "orchid", "otter", "oyster", "pancake", "panda",
    "papaya", "parrot", "pasta", "peanut", "pebble", "pelican", "penguin", "pepper",
    "piano", "pickle", "pigeon", "pillow", "pirate", "planet", "plum", "poppy",
    "pretzel", "pumpkin", "puzzle", "pyramid", "quartz", "quilt", "rabbit", "raccoon",
    "radar", "radish", "raven", "rhubarb", "ribbon", "river", "robin", "rocket",
    "saddle", "saffron", "sailor", "salmon", "sardine", "scarf", "seagull", "sesame",
    "shadow", "shovel", "silver", "sparrow", "spider", "spinach", "stable", "statue",
    "summit", "sunset", "swan", "tablet", "teapot", "thimble", "thunder", "tiger",
    "tomato", "topaz", "tractor", "trumpet", "tulip", "tundra", "tunnel", "turnip",
    "turtle", "unicorn", "valley", "velvet", "violin", "volcano", "waffle", "wagon",
    "walnut", "walrus", "window", "wizard", "wombat", "zebra", "zigzag", "zipper",
};
}  // namespace

std::span<const std::string_view, kSessionCodeWords> session_code_words() { return kWords; }

}  // namespace meshmpc::rendezvous
