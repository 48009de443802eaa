// Checkpoints at the engine level (core/state_io.hpp, Simulation::save_state/load_state):
// state streams refuse what does not fit, a restored simulation continues bit for bit, and
// a model, stimulus or spike hook without checkpoint support is named; the spike hooks
// (burst classifiers, STP, plasticity rules) and the HTM layer's parts continue bit for bit
// after a round trip through their state. The command-line side (files,
// restarts of scenario runs, SIGINT) is tests/cli/checkpoint_restart.py.
#include "core/state_io.hpp"
#include "models/builtin.hpp"
#include "models/burst_rules.hpp"
#include "models/htm/anomaly.hpp"
#include "models/htm/spatial_pooler.hpp"
#include "models/htm/temporal_memory.hpp"
#include "models/plasticity.hpp"
#include "models/stp.hpp"
#include "sim_helpers.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

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
    const MemorySink all = run_network(net, {2, 64}, 100.0);
    const MemorySink restarted = run_with_restart(net, {1, 64}, {3, 64}, 40.0, 100.0); // another thread count
    for (std::uint32_t p = 0; p < 2; ++p) {
        CHECK(restarted.pops.at(p).times == all.pops.at(p).times);
        CHECK(restarted.pops.at(p).ids == all.pops.at(p).ids);
        const auto& t = all.pops.at(p).times; // the restored part has work to do
        CHECK(std::count_if(t.begin(), t.end(), [](double x) { return x > 40.0; }) > 20);
    }
}

TEST_CASE("a restored simulation routes the spikes in flight to sparse blocks", "[checkpoint]") {
    // One cell per group: every block is sparse (40 of 200 and 6 of 30 sources reach a cell),
    // so the spikes saved in flight reach their targets only through the routing table.
    const Registry r = models::builtin_registry();
    const NetworkDesc net = small_net(r, 200);
    const MemorySink all = run_network(net, {2, 1}, 100.0);
    const MemorySink dense = run_network(net, {1, 512}, 100.0);
    const MemorySink restarted = run_with_restart(net, {1, 1}, {2, 1}, 40.0, 100.0);
    // The state loaded into a simulation that has run already (its spikes of another time were
    // routed): the restored spikes must replace them.
    MemorySink reused;
    {
        Simulation a(net, r, {1, 1});
        a.run(40.0, reused);
        StateWriter w;
        a.save_state(w);
        Simulation b(net, r, {2, 1});
        MemorySink ignored;
        b.run(25.0, ignored);
        StateReader in(w.bytes());
        b.load_state(in);
        b.run(100.0, reused);
    }
    for (std::uint32_t p = 0; p < 2; ++p) {
        CHECK(all.pops.at(p).times == dense.pops.at(p).times);
        CHECK(restarted.pops.at(p).times == all.pops.at(p).times);
        CHECK(restarted.pops.at(p).ids == all.pops.at(p).ids);
        CHECK(reused.pops.at(p).times == all.pops.at(p).times);
        CHECK(reused.pops.at(p).ids == all.pops.at(p).ids);
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

namespace {

// Records what the spike hooks report, besides the spikes.
struct HookSink : MemorySink {
    std::map<std::uint32_t, std::vector<double>> events, burst_spikes;
    std::map<std::uint32_t, std::vector<BurstRecord>> closed;
    std::map<std::uint32_t, std::vector<double>> wtime, wsum;
    std::map<std::uint32_t, std::vector<float>> wsamples;
    void classified(std::uint32_t p, std::span<const double> e, std::span<const double> b) override {
        events[p].insert(events[p].end(), e.begin(), e.end());
        burst_spikes[p].insert(burst_spikes[p].end(), b.begin(), b.end());
    }
    void bursts(std::uint32_t p, std::span<const BurstRecord> b) override {
        closed[p].insert(closed[p].end(), b.begin(), b.end());
    }
    void weights(std::uint32_t w, double t, double sum, std::span<const float> s) override {
        wtime[w].push_back(t);
        wsum[w].push_back(sum);
        wsamples[w].insert(wsamples[w].end(), s.begin(), s.end());
    }
};

template <class T> std::vector<T> joined(const std::vector<T>& a, const std::vector<T>& b) {
    std::vector<T> v = a;
    v.insert(v.end(), b.begin(), b.end());
    return v;
}

bool same_bursts(const std::vector<BurstRecord>& a, const std::vector<BurstRecord>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].onset != b[i].onset || a[i].cell != b[i].cell || a[i].spikes != b[i].spikes) return false;
    return true;
}

// Every kind of spike hook: classified populations, STP on carried and filtered projections,
// payeur2021 and STDP, weight probes (as tests/unit/test_spike_hooks.cpp, with the trace rule
// and the isi rule).
NetworkDesc hooked_net(const Registry& r, const std::string& burst_rule) {
    return hooked_network(r, {1.0, 1.0, 1000.0, 0.8, 6.5, burst_rule});
}

} // namespace

TEST_CASE("spike hooks: a restored network continues bit for bit (bursts, STP, transmit, plasticity)",
          "[checkpoint][hooks]") {
    const Registry r = models::builtin_registry();
    for (const std::string rule : {"trace", "isi"}) {
        INFO("burst rule " << rule);
        const NetworkDesc net = hooked_net(r, rule);
        Simulation full(net, r, {2, 64});
        HookSink all;
        full.run(300.0, all);
        full.finish(all);

        Simulation first(net, r, {1, 64});
        HookSink before;
        first.run(147.0, before); // an epoch boundary between two weight samples
        StateWriter w;
        first.save_state(w);
        Simulation second(net, r, {3, 64});
        StateReader in(w.bytes());
        second.load_state(in);
        CHECK(in.at_end());
        HookSink after;
        second.run(300.0, after);
        second.finish(after);

        const double t0 = first.time();
        for (std::uint32_t p = 0; p < 2; ++p) {
            CHECK(joined(before.pops[p].times, after.pops[p].times) == all.pops[p].times);
            CHECK(joined(before.pops[p].ids, after.pops[p].ids) == all.pops[p].ids);
            CHECK(joined(before.events[p], after.events[p]) == all.events[p]);
            CHECK(joined(before.burst_spikes[p], after.burst_spikes[p]) == all.burst_spikes[p]);
            CHECK(same_bursts(joined(before.closed[p], after.closed[p]), all.closed[p]));
            INFO("population " << p << ": " << after.burst_spikes[p].size() << " bursts after the checkpoint");
            CHECK(after.burst_spikes[p].size() > 5);
            // Some burst was open at the checkpoint and was closed by the restored network.
            std::size_t open = 0;
            for (auto& b : after.closed[p]) open += b.onset < t0;
            CHECK(open > 0);
        }
        for (std::uint32_t wp = 0; wp < 2; ++wp) {
            CHECK(joined(before.wtime[wp], after.wtime[wp]) == all.wtime[wp]);
            CHECK(joined(before.wsum[wp], after.wsum[wp]) == all.wsum[wp]);
            CHECK(joined(before.wsamples[wp], after.wsamples[wp]) == all.wsamples[wp]);
        }
        for (std::uint32_t pr = 0; pr < 2; ++pr) {
            const auto a = full.synapses(pr).weight, b = second.synapses(pr).weight;
            CHECK(a == b);
            CHECK(a != first.synapses(pr).weight); // the weights changed after the checkpoint
        }
    }
}

TEST_CASE("spike hooks: the restored state is the saved one (save, load, save gives the same bytes)",
          "[checkpoint][hooks]") {
    const Registry r = models::builtin_registry();
    const NetworkDesc net = hooked_net(r, "trace");
    Simulation a(net, r, {1, 64});
    HookSink sink;
    a.run(40.0, sink);
    StateWriter w1;
    a.save_state(w1);
    Simulation b(net, r, {2, 64});
    StateReader in(w1.bytes());
    b.load_state(in);
    StateWriter w2;
    b.save_state(w2);
    CHECK(w1.bytes() == w2.bytes());
    // The state of a fresh network differs (the test would pass on a no-op otherwise).
    Simulation fresh(net, r, {1, 64});
    StateWriter w0;
    fresh.save_state(w0);
    CHECK(w0.bytes() != w1.bytes());
}

TEST_CASE("burst classifiers: an open burst continues across a state round trip", "[checkpoint][hooks]") {
    for (const std::string rule : {"trace", "isi"}) {
        INFO("rule " << rule);
        // Cell 0 bursts across the cut (5, 9 | 12, 15 ms); cell 1 fires once before it.
        const std::vector<double> t1{5.0, 7.0, 9.0}, t2{12.0, 15.0, 60.0};
        const std::vector<std::uint32_t> c1{0, 1, 0}, c2{0, 0, 0};
        auto whole = models::make_burst_classifier(rule, 16.0, 2);
        auto first = models::make_burst_classifier(rule, 16.0, 2);
        std::vector<BurstRecord> done_whole, done_split;
        std::vector<SpikeKind> k_whole(3), k_split(3);
        whole->classify(t1, c1, k_whole, 10.0, done_whole);
        first->classify(t1, c1, k_split, 10.0, done_split);
        StateWriter w;
        first->save_state(w);
        auto second = models::make_burst_classifier(rule, 16.0, 2);
        StateReader in(w.bytes());
        second->load_state(in);
        CHECK(in.at_end());
        whole->classify(t2, c2, k_whole, 100.0, done_whole);
        second->classify(t2, c2, k_split, 100.0, done_split);
        CHECK(k_whole == k_split);
        // The burst 5, 9, 12, 15 of cell 0 is one burst of 4 spikes.
        REQUIRE(done_split.size() == 1);
        CHECK(done_split[0].onset == 5.0);
        CHECK(done_split[0].spikes == 4);
        CHECK(same_bursts(done_whole, done_split));
        // A classifier of the other rule refuses the state.
        auto other = models::make_burst_classifier(rule == "trace" ? "isi" : "trace", 16.0, 2);
        StateReader in2(w.bytes());
        CHECK_THROWS_AS(other->load_state(in2), CheckpointError);
    }
}

TEST_CASE("STP and plasticity rules: state round trip", "[checkpoint][hooks]") {
    auto a = models::make_tsodyks_markram(0.2, 0.1, 50.0, 200.0, 2);
    const std::vector<SourceSpike> s1{{1.0, 0, SpikeKind::event}, {3.0, 1, SpikeKind::event}},
        s2{{4.0, 0, SpikeKind::event}, {6.0, 1, SpikeKind::event}};
    std::vector<float> e(2), e2(2), fresh_e(2);
    a->transmit(s1, e);
    StateWriter w;
    a->save_state(w);
    auto b = models::make_tsodyks_markram(0.2, 0.1, 50.0, 200.0, 2);
    StateReader in(w.bytes());
    b->load_state(in);
    a->transmit(s2, e);
    b->transmit(s2, e2);
    CHECK(e == e2);
    auto fresh = models::make_tsodyks_markram(0.2, 0.1, 50.0, 200.0, 2);
    fresh->transmit(s2, fresh_e);
    CHECK(fresh_e != e2); // the saved state matters

    // One source -> one target synapse; pre then post spikes, cut in between.
    std::vector<std::uint32_t> row{0, 1}, offset{0, 1}, by_target{0}, source_of{0};
    std::vector<std::uint16_t> target{0};
    for (int kind = 0; kind < 2; ++kind) {
        INFO((kind == 0 ? "payeur2021" : "stdp"));
        auto make = [&] {
            return kind == 0 ? models::make_payeur(
                                   models::PayeurParams{0.1, 100.0, 1000.0, 0.0, 1000.0, 0.0, 10.0, 5.0, 1.0}, 1, 1)
                             : models::make_stdp({0.1, 0.12, 20.0, 20.0, 0.0, 10.0}, 1, 1);
        };
        std::vector<float> w_whole{1.0f}, w_split{1.0f};
        auto view = [&](std::vector<float>& wt) {
            return SynapseView{row, target, wt, offset, by_target, source_of, 1, 1};
        };
        const std::vector<PlasticSpike> p1{{1.0, 0, SpikeKind::event, false, true},
                                           {3.0, 0, SpikeKind::event, true, true}},
            p2{{5.0, 0, SpikeKind::event, false, true}, {8.0, 0, SpikeKind::burst, true, true}};
        auto whole = make(), first = make();
        auto v1 = view(w_whole), v2 = view(w_split);
        whole->update(v1, p1);
        first->update(v2, p1);
        std::vector<float> w_cut = w_split;
        StateWriter ws;
        first->save_state(ws);
        auto second = make();
        StateReader rs(ws.bytes());
        second->load_state(rs);
        CHECK(rs.at_end());
        whole->update(v1, p2);
        second->update(v2, p2);
        CHECK(w_whole == w_split);
        CHECK(w_whole != w_cut);
        // Without the saved traces the same spikes change the weight differently.
        auto untrained = make();
        auto v3 = view(w_cut);
        untrained->update(v3, p2);
        CHECK(w_cut != w_whole);
    }
}

TEST_CASE("htm: spatial pooler, temporal memory and likelihood continue bit for bit after a round trip",
          "[checkpoint][htm]") {
    using namespace apical::models::htm;
    SpParams spp;
    spp.inputs = 200, spp.columns = 128, spp.potential_radius = 0, spp.local_area_density = 0.05;
    spp.boost_strength = 1.0, spp.duty_cycle_period = 20;
    TmParams tpp;
    tpp.columns = 128, tpp.cells_per_column = 4, tpp.activation_threshold = 3, tpp.min_threshold = 2;
    tpp.max_new_synapse_count = 4, tpp.predicted_segment_decrement = 0.01f;
    LikelihoodParams lp;
    lp.learning_period = 10, lp.estimation_samples = 5, lp.reestimation_period = 7, lp.averaging_window = 3;
    struct Layer {
        SpatialPooler sp;
        TemporalMemory tm;
        AnomalyLikelihood lk;
        std::vector<double> out;
        void step(const Sdr& in) {
            Sdr cols;
            sp.compute(in, true, cols);
            tm.compute(cols, true);
            out.push_back(tm.anomaly());
            out.push_back(lk.compute(tm.anomaly()));
            for (auto c : tm.active_cells()) out.push_back(c);
        }
        void save(StateWriter& w) const { sp.save_state(w), tm.save_state(w), lk.save_state(w); }
        void load(StateReader& r) { sp.load_state(r), tm.load_state(r), lk.load_state(r); }
    };
    auto make = [&] {
        return Layer{SpatialPooler(spp, RandomStream(3, 1, 0)),
                     TemporalMemory(tpp, RandomStream(3, 2, 0)),
                     AnomalyLikelihood(lp),
                     {}};
    };
    // A noisy repeating sequence of 5 inputs.
    RandomStream noise(5, 9, 0);
    std::vector<Sdr> inputs;
    for (int k = 0; k < 80; ++k) {
        Sdr s;
        for (std::uint32_t i = 0; i < 20; ++i) s.push_back((static_cast<std::uint32_t>(k % 5) * 40 + i * 2) % 200);
        for (int j = 0; j < 3; ++j) s.push_back(noise.below(200));
        normalize(s);
        inputs.push_back(s);
    }
    Layer whole = make(), first = make();
    for (int k = 0; k < 37; ++k) whole.step(inputs[k]), first.step(inputs[k]);
    StateWriter w;
    first.save(w);
    Layer second = make();
    StateReader in(w.bytes());
    second.load(in);
    CHECK(in.at_end());
    for (int k = 37; k < 80; ++k) whole.step(inputs[k]), second.step(inputs[k]);
    const std::vector<double> tail(whole.out.end() - static_cast<std::ptrdiff_t>(second.out.size()), whole.out.end());
    CHECK(tail == second.out);
    StateWriter a, b;
    whole.save(a), second.save(b);
    CHECK(a.bytes() == b.bytes());
    // An unrestored layer does differently (the learned state matters).
    Layer fresh = make();
    for (int k = 37; k < 80; ++k) fresh.step(inputs[k]);
    CHECK(fresh.out != second.out);
}

TEST_CASE("a spike hook without checkpoint support is named, never half saved", "[checkpoint][hooks]") {
    Registry r = models::builtin_registry();
    struct Plain final : SpikeClassifier {
        void classify(std::span<const double>, std::span<const std::uint32_t>, std::span<SpikeKind> k, double,
                      std::vector<BurstRecord>&) override {
            for (auto& x : k) x = SpikeKind::event;
        }
        void finish(std::vector<BurstRecord>&) override {}
    };
    KindInfo k;
    k.name = "plain";
    k.make_classifier = [](const std::vector<double>&, std::uint32_t) -> std::unique_ptr<SpikeClassifier> {
        return std::make_unique<Plain>();
    };
    r.add_burst_rule(std::move(k));
    NetworkDesc net = small_net(r, 10);
    net.burst_rule = "plain";
    net.classify = {true, false};
    Simulation sim(net, r, {1, 64});
    CHECK_THAT(sim.checkpoint_unsupported(), Contains("population 'exc'") && Contains("'plain'"));
    StateWriter w;
    CHECK_THROWS_AS(sim.save_state(w), CheckpointError);
    net.burst_rule = "trace";
    CHECK(Simulation(net, r, {1, 64}).checkpoint_unsupported().empty());
}
