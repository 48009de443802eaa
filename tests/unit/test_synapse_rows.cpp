// Synaptic rows (core/cell_group.hpp SynapseRow): with grid event times the engine hands a
// spike's synapses of a static constant-delay projection to LIF groups as one row instead
// of one Event per synapse. A row must act exactly as its events would: same spikes, bit for
// bit, with constant and drawn weights, several delays landing in one step, short-term
// plasticity scaling the row, and drawn-delay (event) synapses beside the rows; for any
// thread count; and across a checkpoint taken while rows are in flight.
#include "models/builtin.hpp"
#include "sim_helpers.hpp"

#include <catch2/catch.hpp>
#include <tbb/global_control.h>

using namespace apical;
using namespace apical::test;

namespace {

NetworkDesc rows_net(const Registry& r) {
    NetworkDesc net;
    net.seed = 5;
    net.dt = 0.1;
    net.event_times = NetworkDesc::EventTimes::grid;
    net.populations.push_back(population(r, "a", "lif", 400));
    net.populations.push_back(population(r, "b", "lif", 200));
    uniform_initial_v(net, -60.0, -50.0);
    // Two projections onto b's excitatory slot, 1.0 and 2.3 ms: rows of spikes from
    // different epochs meet in one step. The second draws its weights.
    net.projections.push_back(projection(r, net, 0, 1, "exc", "fixed_probability", {0.05}, 3.0, 1.0));
    auto drawn_w = projection(r, net, 0, 1, "exc", "fixed_probability", {0.05}, 0.0, 2.3);
    drawn_w.name = "a_b_drawn";
    drawn_w.weight.kind = Distribution::Kind::uniform;
    drawn_w.weight.a = 1.0, drawn_w.weight.b = 4.0;
    net.projections.push_back(drawn_w);
    // Short-term depression scales b -> a rows.
    auto ba = projection(r, net, 1, 0, "inh", "fixed_probability", {0.1}, 20.0, 1.2);
    ba.stp = "tsodyks_markram";
    ba.stp_params = {0.5, 0.1, 200.0, 50.0};
    net.projections.push_back(ba);
    // Drawn delays stay Events (on a slot no row uses: rows act before a step's events).
    auto bb = projection(r, net, 1, 1, "inh", "fixed_probability", {0.1}, 10.0, 0.0);
    bb.delay.kind = Distribution::Kind::uniform;
    bb.delay.a = 1.0, bb.delay.b = 3.0;
    net.projections.push_back(bb);
    net.stimuli.push_back(stimulus(r, net, "poisson", 0, {{"rate", 2500.0}}, "exc", 2.0));
    net.stimuli.push_back(stimulus(r, net, "poisson", 1, {{"rate", 1000.0}}, "exc", 2.0));
    return net;
}

SimulationOptions with_rows(int threads, bool rows) {
    SimulationOptions o{threads, 64};
    o.synapse_rows = rows;
    return o;
}

} // namespace

TEST_CASE("synaptic rows deliver exactly what one event per synapse does", "[engine][rows]") {
    tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
    const Registry r = models::builtin_registry();
    const NetworkDesc net = rows_net(r);
    const auto events = run_network(net, with_rows(1, false), 300.0);
    REQUIRE(events.pops.at(0).times.size() > 500); // both populations are active
    REQUIRE(events.pops.at(1).times.size() > 200);
    for (int threads : {1, 2, 4}) {
        CAPTURE(threads);
        const auto rows = run_network(net, with_rows(threads, true), 300.0);
        for (std::uint32_t p = 0; p < 2; ++p) {
            CHECK(rows.pops.at(p).times == events.pops.at(p).times); // bitwise
            CHECK(rows.pops.at(p).ids == events.pops.at(p).ids);
        }
    }
}

TEST_CASE("a checkpoint taken with synaptic rows in flight continues bit for bit", "[checkpoint][rows]") {
    const Registry r = models::builtin_registry();
    const NetworkDesc net = rows_net(r);
    const auto all = run_network(net, with_rows(2, true), 200.0);
    // At 73 ms the 2.3 ms rows of the last epochs are still queued.
    const auto restarted = run_with_restart(net, with_rows(1, true), with_rows(2, true), 73.0, 200.0);
    for (std::uint32_t p = 0; p < 2; ++p) {
        CHECK(restarted.pops.at(p).times == all.pops.at(p).times);
        CHECK(restarted.pops.at(p).ids == all.pops.at(p).ids);
    }

    // Rows and events are not interchangeable in a checkpoint: a network that queues events
    // refuses a state with queued rows.
    Simulation first(net, r, with_rows(1, true));
    MemorySink sink;
    first.run(73.0, sink);
    StateWriter w;
    first.save_state(w);
    Simulation events_only(net, r, with_rows(1, false));
    StateReader in(w.bytes());
    CHECK_THROWS_AS(events_only.load_state(in), CheckpointError);
}
