// Distributed runs without MPI: K simulations in K threads of this process, joined by an
// in-memory Exchange, must give bitwise the same spikes and samples as one process.
#include "core/exchange.hpp"
#include "core/state_io.hpp"
#include "sim_helpers.hpp"

#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <thread>

using namespace apical;
using namespace apical::test;

namespace {

// Shared state of K in-process ranks: a generation barrier and one slot per rank.
struct Rendezvous {
    explicit Rendezvous(int n) : n(n), slots(static_cast<std::size_t>(n)) {}
    int n;
    std::mutex m;
    std::condition_variable cv;
    int arrived = 0;
    std::uint64_t generation = 0;
    std::vector<std::vector<char>> slots;
    void barrier() {
        std::unique_lock<std::mutex> lock(m);
        const auto gen = generation;
        if (++arrived == n) {
            arrived = 0;
            ++generation;
            cv.notify_all();
        } else {
            cv.wait(lock, [&] { return generation != gen; });
        }
    }
};

class ThreadExchange final : public Exchange {
public:
    ThreadExchange(Rendezvous& r, int rank) : r_(r), rank_(rank) {}
    int rank() const override { return rank_; }
    int size() const override { return r_.n; }
    void allgather(const std::vector<char>& mine, std::vector<char>& all, std::vector<std::size_t>& counts) override {
        exchange(mine, all, counts, true);
    }
    void gather(const std::vector<char>& mine, std::vector<char>& all, std::vector<std::size_t>& counts) override {
        exchange(mine, all, counts, rank_ == 0);
    }

private:
    void exchange(const std::vector<char>& mine, std::vector<char>& all, std::vector<std::size_t>& counts, bool read) {
        r_.slots[static_cast<std::size_t>(rank_)] = mine;
        r_.barrier();
        all.clear();
        counts.clear();
        if (read)
            for (auto& s : r_.slots) {
                all.insert(all.end(), s.begin(), s.end());
                counts.push_back(s.size());
            }
        r_.barrier(); // nobody overwrites a slot before everyone has read it
    }
    Rendezvous& r_;
    int rank_;
};

struct Result {
    std::map<std::uint32_t, MemorySink::Pop> spikes;
    std::map<std::uint32_t, std::vector<float>> rows;
    std::uint64_t synapses = 0;
    std::vector<std::uint64_t> cells_per_rank;
};

Result run_ranks(const NetworkDesc& net, int ranks, int threads, double t_stop, std::uint32_t group_size = 0) {
    const Registry reg = models::builtin_registry();
    Rendezvous rv(ranks);
    std::vector<MemorySink> sinks(static_cast<std::size_t>(ranks));
    Result out;
    std::vector<std::thread> th;
    std::mutex m;
    for (int r = 0; r < ranks; ++r)
        th.emplace_back([&, r] {
            ThreadExchange ex(rv, r);
            SimulationOptions o;
            o.threads = threads;
            o.group_size = group_size;
            o.exchange = ranks > 1 ? &ex : nullptr;
            Simulation sim(net, reg, o);
            sim.run(t_stop, sinks[static_cast<std::size_t>(r)]);
            if (r == 0) {
                std::lock_guard<std::mutex> lock(m);
                out.synapses = sim.stats().synapses;
                out.cells_per_rank = sim.cells_per_rank();
            }
        });
    for (auto& t : th) t.join();
    for (int r = 1; r < ranks; ++r) {
        INFO("rank " << r << " must report nothing");
        CHECK(sinks[static_cast<std::size_t>(r)].pops.empty());
        CHECK(sinks[static_cast<std::size_t>(r)].probe_rows.empty());
    }
    out.spikes = sinks[0].pops;
    out.rows = sinks[0].probe_rows;
    return out;
}

NetworkDesc coba_like(std::uint32_t n_exc, std::uint32_t n_inh, double delay) {
    const Registry reg = models::builtin_registry();
    NetworkDesc net;
    net.dt = 0.1;
    net.seed = 7;
    net.populations.push_back(population(reg, "exc", "lif", n_exc));
    net.populations.push_back(population(reg, "inh", "lif", n_inh));
    for (std::uint32_t p = 0; p < 2; ++p) {
        Distribution v;
        v.kind = Distribution::Kind::uniform;
        v.a = -60.0, v.b = -50.0;
        net.populations[p].initial.push_back({reg.model("lif")->variable_index("v"), v});
    }
    for (std::uint32_t s = 0; s < 2; ++s)
        for (std::uint32_t t = 0; t < 2; ++t)
            net.projections.push_back(projection(reg, net, s, t, s == 0 ? "exc" : "inh", "fixed_probability", {0.05},
                                                 s == 0 ? 6.0 : 67.0, delay));
    for (std::uint32_t t = 0; t < 2; ++t)
        net.stimuli.push_back(stimulus(reg, net, "poisson", t, {{"rate", 3000.0}}, "exc", 3.0));
    net.probes.push_back({"v", 0, {0}, {0, 700, 1499}, 0.5});
    return net;
}

} // namespace

TEST_CASE("distributed: 1, 2 and 3 ranks give bitwise identical spikes and samples", "[distributed][determinism]") {
    // 1500 + 400 cells: 3 + 1 groups of 512; with 3 ranks the cost split gives each rank work.
    const NetworkDesc net = coba_like(1500, 400, 1.0);
    const Result one = run_ranks(net, 1, 1, 300.0);
    REQUIRE(one.spikes.at(0).times.size() > 1000);
    for (int ranks : {2, 3})
        for (int threads : {1, 2}) {
            INFO(ranks << " ranks x " << threads << " threads");
            const Result r = run_ranks(net, ranks, threads, 300.0);
            for (std::uint32_t p = 0; p < 2; ++p) {
                CHECK(r.spikes.at(p).times == one.spikes.at(p).times);
                CHECK(r.spikes.at(p).ids == one.spikes.at(p).ids);
            }
            CHECK(r.rows.at(0) == one.rows.at(0));
            CHECK(r.synapses == one.synapses);
            std::uint64_t total = 0;
            for (auto c : r.cells_per_rank) total += c;
            CHECK(total == 1900);
        }
}

TEST_CASE("distributed: min delay equal to dt, and ranks without cells", "[distributed]") {
    // delay = dt: one-step epochs. 240 + 60 cells are two groups of at most 512 cells: with 3
    // ranks one rank owns nothing and still takes part in every exchange. (The automatic size
    // would cut more groups for 3 ranks.)
    const NetworkDesc net = coba_like(240, 60, 0.1);
    const Result one = run_ranks(net, 1, 1, 100.0, 512);
    const Result three = run_ranks(net, 3, 1, 100.0, 512);
    REQUIRE(one.spikes.at(0).times.size() > 100);
    CHECK(three.cells_per_rank.size() == 3);
    CHECK(std::count(three.cells_per_rank.begin(), three.cells_per_rank.end(), 0u) == 1);
    CHECK(three.spikes.at(0).times == one.spikes.at(0).times);
    CHECK(three.spikes.at(1).ids == one.spikes.at(1).ids);
}

TEST_CASE("distributed: multi-compartment cells across ranks", "[distributed][pyramidal]") {
    const Registry reg = models::builtin_registry();
    NetworkDesc net;
    net.dt = 0.1;
    PopulationDesc p = population(reg, "pyr", "pyramidal", 1200, {{"naud2018_conventions", 0.0}});
    const ModelInfo* m = reg.model("pyramidal");
    const ParamPreset* ps = m->preset("l5_3c");
    for (auto& cp : ps->compartments) {
        CompartmentDesc c;
        c.name = cp.name;
        c.params = default_values(m->compartment_parameters);
        for (std::size_t i = 0; i < p.compartments.size(); ++i)
            if (p.compartments[i].name == cp.parent) c.parent = static_cast<int>(i);
        for (auto& [k, v] : cp.values)
            for (std::size_t i = 0; i < m->compartment_parameters.size(); ++i)
                if (m->compartment_parameters[i].name == k) c.params[i] = v;
        p.compartments.push_back(c);
    }
    net.populations.push_back(p);
    net.stimuli.push_back(stimulus(reg, net, "poisson", 0, {{"rate", 2000.0}}, "ampa", 2.0));
    ProjectionDesc pr = projection(reg, net, 0, 0, "ampa", "fixed_probability", {0.01}, 0.5, 1.0);
    pr.compartment = 1;
    net.projections.push_back(pr);
    const Result one = run_ranks(net, 1, 1, 150.0);
    const Result two = run_ranks(net, 2, 1, 150.0);
    REQUIRE(one.spikes.at(0).times.size() > 100);
    CHECK(two.spikes.at(0).times == one.spikes.at(0).times);
    CHECK(two.spikes.at(0).ids == one.spikes.at(0).ids);
}

TEST_CASE("distributed: checkpoints are refused, naming the reason", "[distributed][checkpoint]") {
    // The one thing checkpoints still refuse (docs/checkpoint.md): a network spread over ranks.
    const Registry reg = models::builtin_registry();
    const NetworkDesc net = coba_like(600, 150, 1.0);
    Rendezvous rv(2);
    std::vector<std::string> why(2);
    std::vector<int> threw(2, 0);
    std::vector<std::thread> th;
    for (int r = 0; r < 2; ++r)
        th.emplace_back([&, r] {
            ThreadExchange ex(rv, r);
            SimulationOptions o;
            o.threads = 1;
            o.exchange = &ex;
            Simulation sim(net, reg, o);
            why[static_cast<std::size_t>(r)] = sim.checkpoint_unsupported();
            StateWriter w;
            try {
                sim.save_state(w);
            } catch (const CheckpointError&) {
                threw[static_cast<std::size_t>(r)] = 1;
            }
        });
    for (auto& t : th) t.join();
    for (int r = 0; r < 2; ++r) {
        INFO("rank " << r);
        CHECK(why[static_cast<std::size_t>(r)].find("MPI ranks") != std::string::npos);
        CHECK(threw[static_cast<std::size_t>(r)] == 1);
    }
}
