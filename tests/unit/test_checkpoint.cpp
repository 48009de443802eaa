// Checkpoints at the engine level (core/state_io.hpp, Simulation::save_state/load_state):
// state streams refuse what does not fit, a restored simulation continues bit for bit, and
// a model or stimulus without checkpoint support is named. The command-line side (files,
// restarts of scenario runs, SIGINT) is tests/cli/checkpoint_restart.py.
#include "core/state_io.hpp"
#include "models/builtin.hpp"
#include "sim_helpers.hpp"

#include <catch2/catch.hpp>

using namespace apical;
using namespace apical::test;
using Catch::Matchers::Contains;

TEST_CASE("state streams: round trip, and clear refusals", "[checkpoint]") {
    StateWriter w;
    w.begin("outer");
    w.put(std::int64_t{42});
    w.put(std::vector<double>{1.5, 2.5});
    w.begin("inner");
    w.put_string("hello");
    w.end();
    w.end();
    const std::vector<char> bytes = w.bytes();
    {
        StateReader r(bytes);
        r.begin("outer");
        CHECK(r.get<std::int64_t>() == 42);
        std::vector<double> v(2);
        r.get(v);
        CHECK(v == std::vector<double>{1.5, 2.5});
        r.begin("inner");
        CHECK(r.get_string() == "hello");
        r.end();
        r.end();
        CHECK(r.at_end());
    }
    {
        StateReader r(bytes);
        CHECK_THROWS_WITH(r.begin("other"), Contains("expected state section 'other', found 'outer'"));
    }
    {
        StateReader r(bytes);
        r.begin("outer");
        r.get<std::int64_t>();
        std::vector<double> v(3);
        CHECK_THROWS_WITH(r.get(v), Contains("holds an array of 2 values where this network has 3"));
    }
    {
        StateReader r(bytes);
        r.begin("outer");
        CHECK_THROWS_WITH(r.end(), Contains("holds") && Contains("more than this network reads"));
    }
    for (std::size_t cut : {std::size_t{3}, bytes.size() / 2, bytes.size() - 1}) {
        StateReader r(std::span<const char>(bytes.data(), cut));
        CHECK_THROWS_AS(([&] {
                            r.begin("outer");
                            r.get<std::int64_t>();
                            std::vector<double> v(2);
                            r.get(v);
                            r.begin("inner");
                            r.get_string();
                        }()),
                        CheckpointError);
    }
}

namespace {

NetworkDesc small_net(const Registry& r, std::uint32_t n_exc) {
    NetworkDesc net;
    net.dt = 0.1;
    net.seed = 11;
    net.populations.push_back(population(r, "exc", "lif", n_exc));
    net.populations.push_back(population(r, "inh", "adex", 30));
    net.projections.push_back(projection(r, net, 0, 1, "exc", "fixed_probability", {0.2}, 4.0, 1.0));
    net.projections.push_back(projection(r, net, 1, 0, "inh", "fixed_probability", {0.2}, 20.0, 1.5));
    net.stimuli.push_back(stimulus(r, net, "poisson", 0, {{"rate", 2000.0}}, "exc", 2.0));
    net.stimuli.push_back(stimulus(r, net, "poisson", 1, {{"rate", 1000.0}}, "exc", 2.0));
    return net;
}

} // namespace

TEST_CASE("a simulation restored from its state continues bit for bit", "[checkpoint]") {
    const Registry r = models::builtin_registry();
    const NetworkDesc net = small_net(r, 200);
    Simulation full(net, r, {2, 64});
    MemorySink all;
    full.run(100.0, all);

    Simulation first(net, r, {1, 64});
    MemorySink before;
    first.run(40.0, before);
    StateWriter w;
    first.save_state(w);
    Simulation second(net, r, {3, 64}); // another thread count
    StateReader in(w.bytes());
    second.load_state(in);
    CHECK(in.at_end());
    CHECK(second.time() == first.time());
    MemorySink after;
    second.run(100.0, after);
    for (std::uint32_t p = 0; p < 2; ++p) {
        std::vector<double> t = before.pops[p].times;
        t.insert(t.end(), after.pops[p].times.begin(), after.pops[p].times.end());
        std::vector<std::uint64_t> id = before.pops[p].ids;
        id.insert(id.end(), after.pops[p].ids.begin(), after.pops[p].ids.end());
        CHECK(t == all.pops[p].times);
        CHECK(id == all.pops[p].ids);
        CHECK(after.pops[p].times.size() > 20);
    }
}

TEST_CASE("a state is refused by a network of another shape", "[checkpoint]") {
    const Registry r = models::builtin_registry();
    Simulation a(small_net(r, 200), r, {1, 64});
    MemorySink sink;
    a.run(10.0, sink);
    StateWriter w;
    a.save_state(w);
    Simulation b(small_net(r, 201), r, {1, 64});
    StateReader in(w.bytes());
    CHECK_THROWS_AS(b.load_state(in), CheckpointError);
}

TEST_CASE("models without checkpoint support are named, never half saved", "[checkpoint]") {
    const Registry r = models::builtin_registry();
    CHECK(Simulation(small_net(r, 10), r).checkpoint_unsupported().empty());
    // A model that does not override the hooks (htm's refusal by name is checked from the
    // command line, tests/cli/checkpoint_restart.py): it says so and saves nothing.
    struct Plain final : CellGroup {
        void advance(const Epoch&, const EventSpan&, std::vector<LocalSpike>&) override {}
        double get(int, std::uint32_t) const override { return 0.0; }
        std::uint32_t count() const override { return 1; }
    } plain;
    CHECK_FALSE(plain.can_checkpoint());
    StateWriter w;
    CHECK_THROWS_AS(plain.save_state(w), CheckpointError);
}
