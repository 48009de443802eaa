#include "core/simulation.hpp"

#include "core/distribution.hpp"
#include "core/epoch_team.hpp"
#include "core/exchange.hpp"
#include "core/pod_buffer.hpp"
#include "core/random.hpp"
#include "core/stable_order.hpp"
#include "core/state_io.hpp"
#include "core/stimulus.hpp"

#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <iterator>
#include <chrono>
#include <cstring>
#include <map>
#include <iomanip>
#include <sstream>
#include <cmath>
#include <exception>
#include <numeric>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <utility>

namespace apical {
namespace {

// An epoch's length in steps: the smallest synaptic delay in whole steps (below 1 when a
// delay is shorter than dt), or 1 ms without synapses (epochs then only bound the work between
// recordings). In doubles, so that estimate_memory can take any input.
double epoch_steps_for(double min_delay, double dt) {
    return std::isinf(min_delay) ? std::max(1.0, std::floor(1.0 / dt + 1e-9)) : std::floor(min_delay / dt + 1e-9);
}

// A cell group's event ring: one queue per step from an epoch's start to the latest arrival of
// one of its spikes.
double ring_steps_for(double epoch_steps, double max_delay, double dt) {
    return epoch_steps + std::ceil(max_delay / dt) + 2.0;
}

// Synapses of one projection onto one cell group, stored by source cell (CSR): 2 bytes per
// synapse (the target) when weight and delay are constant across the projection (a static
// projection: no plasticity), plus 4 for a weight and 4 for a delay drawn per synapse. Rows are dense (row[s] ..
// row[s+1] for every source cell s) when half or more of the source cells reach the group; sparse otherwise:
// rows only for the sources that do, found through the source population's routing table (Impl::route), so that a
// large sparse network pays neither 4 bytes per source cell per group nor, when spikes are delivered, a look at every
// spike of the epoch by every group.
struct InBlock {
    std::uint32_t projection = 0;
    std::uint32_t source_pop = 0;
    std::uint16_t slot = 0;
    double const_delay = 0.0;
    float const_weight = 0.0f; // the weight of every synapse when `weight` is empty
    bool sparse = false;
    // Sparse, while the network is built: the sources with synapses here, ascending (moved
    // into the routing table, then released).
    std::vector<std::uint32_t> src_ids;
    std::vector<std::uint32_t> row;    // dense: n_source + 1 entries; sparse: one per source with synapses here, + 1
    std::vector<std::uint16_t> target; // group-local cell
    std::vector<float> weight;         // empty: const_weight
    std::vector<float> delay;          // empty: const_delay
    bool as_rows = false;              // delivered as SynapseRows (see Group::takes_rows)
    float weight_of(std::uint32_t k) const { return weight.empty() ? const_weight : weight[k]; }
    // Plastic projections only: the rule's state for this group, the synapses by target,
    // and a scratch list of the epoch's pre/post spikes.
    std::unique_ptr<PlasticityRule> rule;
    std::vector<std::uint32_t> by_target_offset, by_target, source_of;
    std::vector<PlasticSpike> plastic_spikes;
};

struct Group {
    std::unique_ptr<CellGroup> cells;
    std::uint32_t pop = 0, first = 0, count = 0;
    std::uint64_t gid0 = 0;
    std::vector<InBlock> in;
    std::vector<std::unique_ptr<EventSource>> sources;
    std::vector<std::uint32_t> source_stimulus; // per source: its index in NetworkDesc::stimuli
    // Ring of pending events, one bin per integration step (step n in bin n % size).
    std::vector<PodBuffer<Event>> bins;
    std::vector<std::span<const Event>> epoch_steps; // this epoch's bins, handed to the model
    // Grid event times, a model that takes rows (CellGroup::takes_rows): each spike's
    // synapses of a static constant-delay projection wait as one SynapseRow in a ring like
    // `bins`, instead of one 16-byte Event per synapse written now and read back later.
    bool takes_rows = false;
    std::vector<PodBuffer<SynapseRow>> row_bins;
    std::vector<std::span<const SynapseRow>> epoch_rows;
    std::vector<Event> stim; // this epoch's stimulus events
    // Per InBlock (constant delay): the bin of the last spike time delivered, reused by the
    // following spikes of the same time (spikes come in time order; on the grid a whole
    // step's spikes share one time).
    struct BinCache {
        double time = -1.0, arrival = 0.0;
        PodBuffer<Event>* bin = nullptr;
        PodBuffer<SynapseRow>* rows = nullptr;
    };
    std::vector<BinCache> bin_cache;
    // Written by the group's item, read by lane 0 right after it (take_spikes, then the
    // bad-state check): 25 bytes in one 32-byte-aligned block, so in one cache line, which
    // lane 0 then fetches once from the core that ran the item.
    alignas(32) std::vector<LocalSpike> spikes;
    bool bad = false; // the model reported a bad state this epoch
    // Sparse blocks: this epoch's spikes that reach them, in (spike, block) order, written by
    // route_chunk() at the start of the epoch. `scans`: the group has dense blocks, which look
    // at every spike.
    struct Routed {
        std::uint32_t spike, block, row; // index into `pending`, into `in`, and row of that block
    };
    std::vector<Routed> inbox;
    bool routed = false, scans = false;
    CellGroup::BadState bad_state;
};

// A spike as exchanged between epochs, with its population resolved once.
struct GSpike {
    double time;
    std::uint64_t gid;
    std::uint32_t pop, local;
    std::uint32_t idx = 0; // position among its population's spikes of the epoch
    SpikeKind kind = SpikeKind::unclassified;
};

// What ranks other than 0 report to in a distributed run: nothing is kept.
struct DiscardSink final : RecordingSink {
    void spikes(std::uint32_t, std::span<const double>, std::span<const std::uint64_t>) override {}
    void samples(std::uint32_t, std::span<const float>, std::size_t) override {}
};

// Sample rows as gathered from the ranks of a distributed run.
struct WireSample {
    std::uint32_t probe, column;
    std::int64_t step;
    float value;
};

// A projection's dynamic state in checkpoints, per InBlock (its synapses onto one group).
// Synapses are rebuilt from the seed on restart, so a static projection saves only what
// checks that it is the same one. A plastic projection adds its weights (in storage order)
// and its rule's state for this group. (Short-term plasticity is per projection, not per
// group: saved with the other hooks in the `hooks` section.)
void save_projection_state(const InBlock& b, StateWriter& w) {
    w.begin("projection");
    w.put(b.projection);
    w.put(std::uint64_t{b.target.size()});
    w.put(std::uint8_t{b.rule != nullptr});
    if (b.rule) {
        w.put(b.weight);
        w.begin("plasticity");
        b.rule->save_state(w);
        w.end();
    }
    w.end();
}

void load_projection_state(InBlock& b, StateReader& r) {
    r.begin("projection");
    const auto projection = r.get<std::uint32_t>();
    const auto n = r.get<std::uint64_t>();
    if (projection != b.projection || n != b.target.size())
        throw CheckpointError("checkpoint: projection " + std::to_string(b.projection) + " has " +
                              std::to_string(b.target.size()) + " synapses onto a group here, the checkpoint " +
                              std::to_string(n) + " (saved by another network?)");
    const bool plastic = r.get<std::uint8_t>() != 0;
    if (plastic != (b.rule != nullptr))
        throw CheckpointError(
            "checkpoint: projection " + std::to_string(b.projection) + " is " +
            (plastic ? "plastic in the checkpoint but not here" : "plastic here but not in the checkpoint") +
            " (saved by another network?)");
    if (b.rule) {
        r.get(b.weight);
        r.begin("plasticity");
        b.rule->load_state(r);
        r.end();
    }
    r.end();
}

// A hook a population or projection may or may not have (burst classifier, STP), in
// checkpoints: a presence byte, then the hook's own section. `mismatch(has)` words the
// refusal when the checkpoint has one and this network not, or the other way round.
template <class Hook> void save_optional(StateWriter& w, const char* section, const Hook* h) {
    w.put(std::uint8_t{h != nullptr});
    if (!h) return;
    w.begin(section);
    h->save_state(w);
    w.end();
}

template <class Hook, class Mismatch>
void load_optional(StateReader& r, const char* section, Hook* h, Mismatch&& mismatch) {
    const bool has = r.get<std::uint8_t>() != 0;
    if (has != (h != nullptr)) throw CheckpointError(mismatch(has));
    if (!h) return;
    r.begin(section);
    h->load_state(r);
    r.end();
}

// 2: spike-hook state (classifiers, STP, transmission gains, weight probe times) and plastic
// projections' weights and rule state. 3: synaptic rows in flight (SynapseRow). 4: equal
// cell groups per population (the groups' sections follow that layout).
constexpr std::uint32_t engine_state_version = 4;

// A SynapseRow in flight as saved in checkpoints: its projection block (index into the
// group's InBlocks), first synapse and count; the pointers are rebuilt on restore.
struct SavedRow {
    std::uint32_t block, first, count;
    float gain;
};

SavedRow save_row(const Group& g, const SynapseRow& x) {
    for (std::uint32_t bi = 0; bi < g.in.size(); ++bi) {
        const auto& t = g.in[bi].target;
        if (x.target >= t.data() && x.target < t.data() + t.size())
            return {bi, static_cast<std::uint32_t>(x.target - t.data()), x.count, x.gain};
    }
    throw std::logic_error("checkpoint: a queued synaptic row points into no projection of its group");
}

SynapseRow load_row(const Group& g, const SavedRow& x) {
    if (x.block >= g.in.size() || x.count == 0 || x.first > g.in[x.block].target.size() ||
        x.count > g.in[x.block].target.size() - x.first || !g.in[x.block].as_rows)
        throw CheckpointError("checkpoint: a queued synaptic row names synapses that do not exist here");
    const InBlock& b = g.in[x.block];
    return {b.target.data() + x.first,
            b.weight.empty() ? nullptr : b.weight.data() + x.first,
            b.const_weight,
            x.gain,
            x.count,
            b.slot};
}

} // namespace

struct Simulation::Impl {
    NetworkDesc net;
    const Registry& registry;
    SimulationOptions opt;
    tbb::task_arena arena;
    int n_threads = 1;
    std::vector<ModelInfo> pop_models;    // per population: the model as that population sees it
    std::vector<const ModelInfo*> models; // pointers into pop_models
    std::vector<std::uint64_t> pop_gid0;
    std::vector<std::vector<std::uint32_t>> pop_groups; // group indices per population
    std::vector<Group> groups;
    // Distributed runs: this rank's groups (all groups in a single process) and each
    // group's rank.
    Exchange* ex = nullptr;
    int rank = 0, n_ranks = 1;
    std::vector<std::uint32_t> local;
    std::vector<double> local_cost; // per local group: its estimated work (cost_per_cell)
    std::vector<char> whole_pop;    // per population: its model takes the population as one group
    std::uint32_t group_size = 0;   // cells per group (at most), as resolved in build()
    std::uint32_t cut_lanes = 1;    // equal shares of work the populations were first cut into (cut_groups)
    std::vector<int> owner;
    std::vector<char> send_buf, recv_buf;
    std::vector<std::size_t> recv_counts;
    std::int64_t step = 0;        // current time = step * dt
    std::int64_t epoch_steps = 1; // L: epoch length in steps (<= min delay)
    std::size_t ring = 2;
    std::vector<GSpike> pending; // spikes of the last epoch, sorted by (time, gid)
    // Spikes to sparse blocks (see InBlock): per source population, for each of its cells the
    // (sparse block, row) pairs it reaches, ordered by group and block. A sparse block is a
    // (group, index in its `in`) pair of sparse_blocks.
    struct Route {
        std::uint32_t block, row;
    };
    std::vector<std::vector<std::uint64_t>> route_offset; // per population: size + 1 entries, or none
    std::vector<PodBuffer<Route>> route;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> sparse_blocks;
    // Routing is done per chunk of local groups (the EpochTeam's blocks, so that a lane routes
    // for the groups it runs), in parallel: the first item of a chunk that needs its spikes
    // routes them for the whole chunk, other items of the chunk wait for it (route_chunk).
    // `state`: 2 x stamp + 2 once the spikes of `route_stamp` are routed, 2 x stamp + 1 while
    // they are being routed.
    struct alignas(64) RouteChunk {
        std::size_t first = 0, last = 0; // local group positions [first, last)
        std::uint32_t sb0 = 0, sb1 = 0;  // its sparse blocks [sb0, sb1)
        std::atomic<std::uint64_t> state{0};
    };
    std::vector<std::unique_ptr<RouteChunk>> route_chunks;
    std::vector<std::uint32_t> chunk_of; // per local group position
    std::uint64_t route_stamp = 0;       // bumped by the simulation loop whenever `pending` changes
    std::vector<std::int64_t> probe_stride;
    std::vector<std::uint32_t> probe_width; // elements per probe row
    NetworkStats stats;
    double inv_dt = 10.0; // 1 / dt, set in build()
    // Spike hooks (core/spike_hooks.hpp).
    std::vector<std::unique_ptr<SpikeClassifier>> classifiers; // per population; null: not classified
    std::vector<std::unique_ptr<ShortTermPlasticity>> stp;     // per projection; null: none
    std::vector<std::vector<float>> gain;               // per projection, per spike of its source (idx); empty: all 1
    std::vector<std::vector<std::uint32_t>> pop_spikes; // per population: indices into pending
    std::vector<BurstRecord> bursts_done;
    std::vector<double> next_weight_sample; // per weight probe
    // take_spikes: sorted runs not yet merged (each at most half as long as the one below
    // it), spare vectors for runs (their capacity kept across epochs), a merge scratch, and
    // the first local group with a NaN spike time.
    std::vector<std::vector<GSpike>> runs, spare_runs;
    std::vector<GSpike> merge_scratch;
    std::size_t unplaced = SIZE_MAX;
    bool finished = false;
    bool hooks_active = false; // any classifier, STP or transmit mode
    DiscardSink discard;

    Impl(const NetworkDesc& n, const Registry& r, SimulationOptions o)
        : net(n), registry(r), opt(o), n_threads(resolved_threads(o)), ex(o.exchange),
          rank(o.exchange ? o.exchange->rank() : 0), n_ranks(o.exchange ? o.exchange->size() : 1) {
        arena.initialize(n_threads);
        build();
    }

    // f(group) for every local group, in parallel. If any throw, the exception of the first
    // such group in group order is passed on (the same one for any thread count).
    template <class F> void parallel_groups(F&& f) {
        std::vector<std::exception_ptr> failed(local.size());
        arena.execute([&] {
            // One task per group (simple partitioner, grain 1): groups are often few and of
            // unequal cost, and chunks of them would leave a thread idle at the end.
            tbb::parallel_for(
                tbb::blocked_range<std::size_t>(0, local.size(), 1),
                [&](const tbb::blocked_range<std::size_t>& r) {
                    for (std::size_t g = r.begin(); g != r.end(); ++g) {
                        try {
                            f(groups[local[g]]);
                        } catch (...) {
                            failed[g] = std::current_exception();
                        }
                    }
                },
                tbb::simple_partitioner());
        });
        for (auto& e : failed)
            if (e) std::rethrow_exception(e);
    }

    void build() {
        if (!(net.dt > 0)) throw std::invalid_argument("dt must be positive");
        inv_dt = 1.0 / net.dt;
        if (opt.group_size > 65535) throw std::invalid_argument("group_size must be in 0..65535 (0: automatic)");
        for (std::uint32_t p = 0; p < net.populations.size(); ++p) {
            auto& pd = net.populations[p];
            const ModelInfo* m = registry.model(pd.model);
            if (!m || !m->make) throw std::invalid_argument("unknown model '" + pd.model + "'");
            if (m->multi_compartment() && pd.compartments.empty())
                throw std::invalid_argument("population '" + pd.name + "' of multi-compartment model '" + pd.model +
                                            "' has no compartments");
            // Models with state shared by all cells (HTM columns) take the population whole;
            // group-local cell indices are 16 bits, so such a population has <= 65536 cells.
            if (m->whole_population && pd.size > 65536)
                throw std::invalid_argument("population '" + pd.name + "' of model " + m->name + " has " +
                                            std::to_string(pd.size) + " cells; at most 65536 are allowed");
            pop_models.push_back(population_model(*m, pd));
            whole_pop.push_back(m->whole_population);
        }
        for (auto& m : pop_models) models.push_back(&m);
        // Populations -> groups of at most group_size cells (cut_groups); gids are contiguous
        // per population.
        std::uint64_t n_cells = 0;
        for (auto& pd : net.populations) n_cells += pd.size;
        if (opt.group_size > 0) {
            const std::uint64_t most = std::max<std::uint64_t>(1, n_cells);
            if (opt.cut_lanes < 1 || opt.cut_lanes > most)
                throw std::invalid_argument("cut_lanes must be in 1.." + std::to_string(most) +
                                            " (the network's cells), not " + std::to_string(opt.cut_lanes));
            group_size = opt.group_size;
            cut_lanes = opt.cut_lanes;
        } else {
            std::tie(group_size, cut_lanes) = automatic_cut();
        }
        const std::vector<std::vector<std::uint32_t>> cut = cut_groups(group_size, cut_lanes);
        std::uint64_t gid = 0;
        for (std::uint32_t p = 0; p < net.populations.size(); ++p) {
            auto& pd = net.populations[p];
            pop_gid0.push_back(gid);
            pop_groups.emplace_back();
            for (std::uint32_t k = 0, first = 0; k < cut[p].size(); ++k) {
                Group g;
                g.pop = p;
                g.first = first;
                g.count = cut[p][k];
                g.gid0 = gid + first;
                first += g.count;
                pop_groups[p].push_back(static_cast<std::uint32_t>(groups.size()));
                groups.push_back(std::move(g));
            }
            gid += pd.size;
        }
        stats.cells = gid;
        stats.groups = groups.size();
        stats.group_size = group_size;
        stats.cut_lanes = cut_lanes;
        partition();

        // Connectivity, drawn per target cell from streams keyed by the target's gid:
        // the same network for any thread count or (later) any rank layout.
        {
            // Scratch per thread of the arena, reused from block to block (a block's scratch is
            // often large enough for malloc to map fresh pages for it and unmap them after, and
            // fresh pages are what the build costs most here); released once the network stands.
            std::vector<ConnectScratch> scratch(static_cast<std::size_t>(std::max(1, arena.max_concurrency())));
            parallel_groups([&](Group& g) {
                // (An index outside the arena's slots would be a TBB contract breach: at() throws.)
                connect_group(g, scratch.at(static_cast<std::size_t>(tbb::this_task_arena::current_thread_index())));
            });
        }
        build_routes();

        double min_delay = std::numeric_limits<double>::infinity(), max_delay = 0.0;
        for (auto& g : groups)
            for (auto& b : g.in) {
                if (b.delay.empty()) {
                    if (!b.target.empty()) {
                        min_delay = std::min(min_delay, b.const_delay);
                        max_delay = std::max(max_delay, b.const_delay);
                    }
                } else {
                    for (float d : b.delay) {
                        min_delay = std::min<double>(min_delay, d);
                        max_delay = std::max<double>(max_delay, d);
                    }
                }
                stats.synapses += b.target.size();
                stats.synapse_bytes += b.row.size() * sizeof(std::uint32_t) + b.target.size() * sizeof(std::uint16_t) +
                                       b.weight.size() * sizeof(float) + b.delay.size() * sizeof(float);
            }
        for (std::size_t p = 0; p < route.size(); ++p)
            stats.synapse_bytes += route[p].size() * sizeof(Route) + route_offset[p].size() * sizeof(std::uint64_t);
        if (ex) {
            // Every rank must step with the same epochs: the network-wide delay range.
            send_buf.clear();
            pack(send_buf, min_delay);
            pack(send_buf, max_delay);
            pack(send_buf, stats.synapses);
            pack(send_buf, stats.synapse_bytes);
            ex->allgather(send_buf, recv_buf, recv_counts);
            const char* q = recv_buf.data();
            stats.synapses = stats.synapse_bytes = 0;
            for (int r = 0; r < n_ranks; ++r) {
                min_delay = std::min(min_delay, unpack<double>(q));
                max_delay = std::max(max_delay, unpack<double>(q));
                stats.synapses += unpack<std::uint64_t>(q);
                stats.synapse_bytes += unpack<std::uint64_t>(q);
            }
        }
        epoch_steps = static_cast<std::int64_t>(epoch_steps_for(min_delay, net.dt));
        if (epoch_steps < 1)
            throw std::invalid_argument("smallest synaptic delay (" + std::to_string(min_delay) + " ms) is below dt (" +
                                        std::to_string(net.dt) + " ms)");
        stats.epoch_ms = static_cast<double>(epoch_steps) * net.dt;
        ring = static_cast<std::size_t>(ring_steps_for(static_cast<double>(epoch_steps), max_delay, net.dt));

        // Current stimuli and event stimuli, then the cell groups themselves.
        build_groups();
        build_probes();
        build_hooks();
        build_rows();
    }

    // Burst classifiers for the populations that need them, STP per projection, and
    // plasticity state per (projection, group) with the synapses indexed by target.
    void build_hooks() {
        const std::size_t np = net.populations.size();
        std::vector<bool> need(np, false);
        for (std::size_t p = 0; p < np && p < net.classify.size(); ++p) need[p] = net.classify[p];
        for (auto& pr : net.projections) {
            if (pr.transmit != ProjectionDesc::Transmit::spikes) need[pr.source] = true;
            if (!pr.plasticity.empty()) need[pr.source] = need[pr.target] = true;
        }
        classifiers.resize(np);
        pop_spikes.resize(np);
        for (std::size_t p = 0; p < np; ++p) {
            if (!need[p]) continue;
            const KindInfo* k = registry.burst_rule(net.burst_rule);
            if (!k || !k->make_classifier) throw std::invalid_argument("unknown burst rule '" + net.burst_rule + "'");
            const auto params = net.burst_params.empty() ? default_values(k->parameters) : net.burst_params;
            classifiers[p] = k->make_classifier(params, net.populations[p].size);
        }
        stp.resize(net.projections.size());
        gain.resize(net.projections.size());
        for (std::size_t pi = 0; pi < net.projections.size(); ++pi) {
            const auto& pr = net.projections[pi];
            if (pr.stp.empty()) continue;
            const KindInfo* k = registry.stp(pr.stp);
            if (!k || !k->make_stp) throw std::invalid_argument("unknown short-term plasticity model '" + pr.stp + "'");
            stp[pi] = k->make_stp(pr.stp_params, net.populations[pr.source].size);
        }
        for (auto& g : groups)
            for (auto& b : g.in) {
                const auto& pr = net.projections[b.projection];
                if (pr.plasticity.empty()) continue;
                const KindInfo* k = registry.plasticity(pr.plasticity);
                if (!k || !k->make_plasticity)
                    throw std::invalid_argument("unknown plasticity rule '" + pr.plasticity + "'");
                if (!b.delay.empty())
                    throw std::invalid_argument(
                        "projection '" + pr.name +
                        "': plasticity needs a constant delay (drawn delays are not supported)");
                const std::uint32_t n_src = net.populations[pr.source].size;
                b.rule = k->make_plasticity(pr.plasticity_params, n_src, g.count);
                b.source_of.resize(b.target.size());
                for (std::uint32_t src = 0; src < n_src; ++src)
                    for (std::uint32_t k2 = b.row[src]; k2 < b.row[src + 1]; ++k2) b.source_of[k2] = src;
                b.by_target_offset.assign(g.count + 1, 0);
                for (auto t : b.target) ++b.by_target_offset[t + 1u];
                std::partial_sum(b.by_target_offset.begin(), b.by_target_offset.end(), b.by_target_offset.begin());
                b.by_target.resize(b.target.size());
                std::vector<std::uint32_t> fill(b.by_target_offset.begin(), b.by_target_offset.end() - 1);
                for (std::uint32_t k2 = 0; k2 < b.target.size(); ++k2) b.by_target[fill[b.target[k2]]++] = k2;
            }
        for (auto& c : classifiers) hooks_active = hooks_active || c != nullptr;
        for (auto& pr : net.projections)
            hooks_active = hooks_active || !pr.stp.empty() || pr.transmit != ProjectionDesc::Transmit::spikes;
        for (auto& wp : net.weight_probes) {
            if (wp.projection >= net.projections.size() || !(wp.interval > 0))
                throw std::invalid_argument("weight probe: bad projection or interval");
            next_weight_sample.push_back(0.0);
        }
    }

    // Which groups take synaptic rows (CellGroup::takes_rows) and which of their projections
    // deliver that way: grid event times, static projections (a plastic one's weights change
    // while spikes are in flight) with a constant delay.
    void build_rows() {
        if (net.event_times != NetworkDesc::EventTimes::grid || !opt.synapse_rows) return;
        for (auto gi : local) {
            Group& g = groups[gi];
            if (!g.cells || !g.cells->takes_rows()) continue;
            g.takes_rows = true;
            g.row_bins.resize(ring);
            for (auto& b : g.in) b.as_rows = b.delay.empty() && !b.rule;
        }
    }

    // The cell groups of every population, as cell counts in gid order. The network's
    // estimated work (cost_per_cell) is split into `lanes` equal shares, and each population
    // is first cut where a boundary between two shares falls inside it: the lanes
    // (EpochTeam::blocks, and ranks in partition()) then get equal work even where population
    // sizes do not divide among them (3200 + 800 cells on 2 lanes: 2000 | 1200 + 800, where
    // equal groups of 1067 give 2134 | 1866). Each piece is then cut into as few groups of at
    // most `size` cells as that allows, of equal size (they differ by at most one cell): a
    // remainder group would be cheap and leave the thread that ends with it idle, since
    // threads share out groups, not cells. Models with state shared by all cells (HTM
    // columns) take the population whole. One lane: every population is one piece.
    std::vector<std::vector<std::uint32_t>> cut_groups(std::uint32_t size, std::uint64_t lanes) const {
        const std::vector<double> per_cell = cost_per_cell();
        double total = 0.0;
        for (std::uint32_t p = 0; p < net.populations.size(); ++p) total += per_cell[p] * net.populations[p].size;
        std::vector<std::vector<std::uint32_t>> out(net.populations.size());
        double before = 0.0; // the work of the populations before p
        std::uint64_t k = 1; // the next boundary: after k shares
        std::vector<std::uint32_t> at;
        for (std::uint32_t p = 0; p < net.populations.size(); ++p) {
            const std::uint32_t n = net.populations[p].size;
            const double work = per_cell[p] * n;
            at.assign(1, 0);
            for (; k < lanes; ++k) {
                const double b = total * static_cast<double>(k) / static_cast<double>(lanes) - before;
                if (b >= work) break; // in a later population (or at this one's end)
                const auto c = static_cast<std::uint32_t>(std::llround(b / per_cell[p]));
                if (!whole_pop[p] && c > at.back() && c < n) at.push_back(c);
            }
            at.push_back(n);
            for (std::size_t i = 0; i + 1 < at.size(); ++i) {
                const std::uint32_t m = at[i + 1] - at[i];
                if (m == 0) continue;
                const std::uint32_t groups = whole_pop[p] ? 1 : (m - 1) / size + 1;
                for (std::uint32_t j = 0; j < groups; ++j) out[p].push_back(m / groups + (j < m % groups ? 1 : 0));
            }
            before += work;
        }
        return out;
    }

    // The automatic cut: (group size, lanes of cut_groups). One lane of work (one thread,
    // one rank): resolved_group_size, which depends on the network only, and no lane cut.
    // More lanes: the cut, of size at most that one, whose groups share out best among the
    // lanes, as EpochTeam::blocks shares them (contiguous blocks of about equal cost),
    // counting each group's own cost per epoch as 256 cells' work (row and event delivery per
    // group: 0.4-4 us per group and epoch against 5-12 ns per cell, bench/RESULTS.md, "Group
    // size"). Sizes are tried downwards by the number of groups of the largest population,
    // until there are 8 groups per lane or groups would fall below 64 cells, each without
    // and with a cut at the lanes' boundaries; among predictions within 2 % of the best, the
    // largest size wins (fewer groups), and at one size the cut without lane boundaries.
    // Spikes never depend on it; a checkpoint records it, so that it restarts on any number
    // of threads (docs/checkpoint.md).
    std::pair<std::uint32_t, std::uint32_t> automatic_cut() {
        const std::uint32_t base = resolved_group_size(net, 0);
        std::uint64_t lanes = static_cast<std::uint64_t>(n_threads);
        if (ex) { // every rank must cut the same groups: the lanes of all ranks together
            send_buf.clear();
            pack(send_buf, lanes);
            ex->allgather(send_buf, recv_buf, recv_counts);
            const char* q = recv_buf.data();
            lanes = 0;
            for (int r = 0; r < n_ranks; ++r) lanes += unpack<std::uint64_t>(q);
        }
        std::uint32_t largest = 0;
        std::uint64_t cells = 0;
        for (std::uint32_t p = 0; p < net.populations.size(); ++p) {
            cells += net.populations[p].size;
            if (!whole_pop[p]) largest = std::max(largest, net.populations[p].size);
        }
        // Plastic projections record their weights in group order (docs/output.md: samples,
        // sums, final lists), so their networks keep one cut for every thread count.
        bool plastic = false;
        for (auto& pr : net.projections) plastic = plastic || !pr.plasticity.empty();
        if (lanes <= 1 || plastic || largest == 0 || cells == 0) return {base, 1};
        lanes = std::min(lanes, cells);
        const std::vector<double> per_cell = cost_per_cell();
        double total = 0.0;
        for (std::uint32_t p = 0; p < net.populations.size(); ++p) total += per_cell[p] * net.populations[p].size;
        const double overhead = 256.0 * total / static_cast<double>(cells);
        struct Tried {
            std::uint32_t size, lanes;
            double span; // the predicted epoch: the costliest lane
        };
        std::vector<Tried> tried;
        std::vector<double> cost;
        std::size_t groups = 0; // of the last size tried, without a lane cut
        auto try_size = [&](std::uint32_t size) {
            for (const std::uint64_t cut : {std::uint64_t{1}, lanes}) {
                const auto g = cut_groups(size, cut);
                cost.clear();
                for (std::uint32_t p = 0; p < net.populations.size(); ++p)
                    for (std::uint32_t c : g[p]) cost.push_back(per_cell[p] * c + overhead);
                const std::vector<double> lane_cost =
                    EpochTeam::block_costs(cost, EpochTeam::blocks(cost, static_cast<std::size_t>(lanes)));
                tried.push_back(
                    {size, static_cast<std::uint32_t>(cut), *std::max_element(lane_cost.begin(), lane_cost.end())});
                if (cut == 1) groups = cost.size();
            }
        };
        // The one-lane size first: with a lane cut its pieces may need no further cut.
        try_size(base);
        for (std::uint32_t n = (largest - 1) / base + 1;; ++n) {
            const std::uint32_t size = (largest - 1) / n + 1;
            if (size < 64) break;
            if (size == tried.back().size) continue;
            try_size(size);
            if (groups >= 8 * lanes || size <= 1 || tried.size() >= 1024) break;
        }
        double best = tried.front().span;
        for (auto& t : tried) best = std::min(best, t.span);
        for (auto& t : tried) // largest first, at one size the plain cut first
            if (t.span <= 1.02 * best) return {t.size, t.lanes};
        return {base, 1};
    }

    // Groups -> ranks: contiguous blocks of groups with about equal estimated cost (cells x
    // compartments, plus the expected incoming synapses of each cell). Every rank computes the
    // same assignment from the network description; a rank may get no group at all.
    void partition() {
        owner.assign(groups.size(), 0);
        const std::vector<double> per_cell = cost_per_cell();
        if (n_ranks > 1) {
            double total = 0.0;
            for (auto& g : groups) total += per_cell[g.pop] * g.count;
            double acc = 0.0;
            for (std::size_t i = 0; i < groups.size(); ++i) {
                const double cost = per_cell[groups[i].pop] * groups[i].count;
                const double mid = total > 0 ? (acc + 0.5 * cost) / total : 0.0;
                owner[i] = std::min(n_ranks - 1, static_cast<int>(mid * n_ranks));
                acc += cost;
            }
        }
        local.clear();
        local_cost.clear();
        for (std::uint32_t i = 0; i < groups.size(); ++i)
            if (owner[i] == rank) {
                local.push_back(i);
                local_cost.push_back(per_cell[groups[i].pop] * groups[i].count);
            }
    }

    // The estimated work per cell and epoch of each population: its compartments plus the
    // expected incoming synapses per cell. Used to split groups among ranks and, within a
    // rank, among threads.
    std::vector<double> cost_per_cell() const {
        std::vector<double> per_cell(net.populations.size());
        for (std::uint32_t p = 0; p < net.populations.size(); ++p)
            per_cell[p] = static_cast<double>(std::max<std::size_t>(1, pop_models[p].compartments.size()));
        for (auto& pr : net.projections) {
            const KindInfo* rule = registry.connectivity(pr.rule);
            if (!rule || !rule->expected_synapses) continue;
            const ConnectCheck cc = connect_check(net, pr);
            per_cell[pr.target] += rule->expected_synapses(cc) / std::max<double>(1, cc.n_target);
        }
        return per_cell;
    }

    // What connect_group draws into before the synapses are put in source order.
    struct ConnectScratch {
        std::vector<std::uint32_t> src, all_src, end;
        std::vector<float> all_w, all_d;
        std::vector<std::uint32_t> run_src, run_at; // runs of equal sources in source order: source, first synapse
    };

    void connect_group(Group& g, ConnectScratch& sc) {
        const auto& pops = net.populations;
        for (std::uint32_t pi = 0; pi < net.projections.size(); ++pi) {
            const auto& pr = net.projections[pi];
            if (pr.target != g.pop) continue;
            const KindInfo* rule = registry.connectivity(pr.rule);
            if (!rule || !rule->connect) throw std::invalid_argument("unknown connectivity rule '" + pr.rule + "'");
            const std::uint32_t n_src = pops[pr.source].size;
            const auto& tm = *models[pr.target];
            InBlock b;
            b.projection = pi;
            b.source_pop = pr.source;
            b.slot = static_cast<std::uint16_t>(pr.compartment * tm.receptors.size() + pr.receptor);
            const bool const_delay = pr.delay.is_constant();
            b.const_delay = pr.delay.a;
            // Plastic projections change their weights: those keep one per synapse.
            const bool const_weight = pr.weight.is_constant() && pr.plasticity.empty();
            b.const_weight = static_cast<float>(pr.weight.a);
            // Draw the sources (and per-synapse weights and delays) per target, in target
            // order; `end[c]` is where target c's synapses end. Then put them in source order,
            // stably (within a row, targets stay in ascending order).
            // (Plain references, not a structured binding: clang 14 cannot capture bindings in
            // the lambdas below.)
            std::vector<std::uint32_t>&src = sc.src, &all_src = sc.all_src, &end = sc.end;
            std::vector<float>&all_w = sc.all_w, &all_d = sc.all_d;
            all_src.clear(), all_w.clear(), all_d.clear();
            end.assign(g.count, 0u);
            // Room for the expected synapses (plus a few standard deviations): growing these
            // by doubling costs more than drawing them (fresh pages each time).
            if (rule->expected_synapses) {
                const ConnectCheck cc = connect_check(net, pr);
                const double mean = rule->expected_synapses(cc) * g.count / std::max<double>(1, cc.n_target);
                const auto n = static_cast<std::size_t>(mean + 4.0 * std::sqrt(mean) + 16.0);
                all_src.reserve(n);
                if (!const_weight) all_w.reserve(n);
                if (!const_delay) all_d.reserve(n);
            }
            for (std::uint32_t c = 0; c < g.count; ++c) {
                const std::uint64_t tgid = g.gid0 + c;
                RandomStream conn(net.seed, purpose_key(Purpose::connectivity, pi), tgid);
                const std::size_t at = all_src.size();
                ConnectRequest req{pr, n_src, pops[pr.target].size, g.first + c, pr.source == pr.target, &conn};
                if (const_weight && const_delay) {
                    rule->connect(req, all_src);
                } else {
                    // Per-synapse weights and delays are drawn in ascending source order; the
                    // synapse lists themselves do not depend on the order of a target's sources.
                    RandomStream wst(net.seed, purpose_key(Purpose::weights, pi), tgid);
                    RandomStream dst(net.seed, purpose_key(Purpose::delays, pi), tgid);
                    src.clear();
                    rule->connect(req, src);
                    std::sort(src.begin(), src.end());
                    all_src.insert(all_src.end(), src.begin(), src.end());
                    for (std::size_t k = at; k < all_src.size(); ++k) {
                        if (!const_weight) all_w.push_back(static_cast<float>(draw(pr.weight, wst)));
                        if (!const_delay) {
                            // Stored as float: a delay at dt must not round below it.
                            float d = static_cast<float>(std::max(draw(pr.delay, dst), net.dt));
                            if (static_cast<double>(d) < net.dt)
                                d = std::nextafter(d, std::numeric_limits<float>::infinity());
                            all_d.push_back(d);
                        }
                    }
                }
                end[c] = static_cast<std::uint32_t>(all_src.size());
            }
            const std::size_t n = all_src.size();
            if (n > std::numeric_limits<std::uint32_t>::max())
                throw std::invalid_argument("projection '" + pr.name + "': more than 2^32 - 1 synapses onto one group");
            b.target.resize(n);
            if (!const_weight) b.weight.resize(n);
            if (!const_delay) b.delay.resize(n);
            auto put = [&](std::size_t at, std::size_t k, std::uint32_t c) {
                b.target[at] = static_cast<std::uint16_t>(c);
                if (!const_weight) b.weight[at] = all_w[k];
                if (!const_delay) b.delay[at] = all_d[k];
            };
            std::vector<std::uint32_t>&run_src = sc.run_src, &run_at = sc.run_at;
            run_src.clear(), run_at.clear();
            if (n_src <= std::max<std::size_t>(n, 2048)) {
                // Few source cells for the synapses: count per source, then place each synapse
                // at its row's next free slot, walking the synapses in target order. No
                // permutation is stored: 4 bytes of scratch per synapse (the sources) instead
                // of 10 (sources, targets and the permutation), and at this VM's cost of fresh
                // pages (bench/RESULTS.md, "Tonight") the pages are what the build costs most.
                std::vector<std::uint32_t> next(std::size_t{n_src} + 1, 0u);
                for (std::uint32_t s : all_src) ++next[s + 1];
                std::partial_sum(next.begin(), next.end(), next.begin());
                for (std::uint32_t s = 0; s < n_src; ++s)
                    if (next[s + 1] != next[s]) run_src.push_back(s), run_at.push_back(next[s]);
                std::size_t k = 0;
                for (std::uint32_t c = 0; c < g.count; ++c)
                    for (; k < end[c]; ++k) put(next[all_src[k]]++, k, c);
            } else {
                // Many source cells (sparse blocks of a large network): a radix sort of the
                // synapses by source, O(synapses), where counting would cost O(source cells).
                const std::vector<std::uint32_t> order = stable_order_by(all_src, n_src);
                std::vector<std::uint16_t> tgt_of(n);
                for (std::uint32_t c = 0, k = 0; c < g.count; ++c)
                    for (; k < end[c]; ++k) tgt_of[k] = static_cast<std::uint16_t>(c);
                for (std::size_t at = 0; at < n; ++at) {
                    const std::uint32_t k = order[at];
                    if (run_src.empty() || all_src[k] != run_src.back())
                        run_src.push_back(all_src[k]), run_at.push_back(static_cast<std::uint32_t>(at));
                    put(at, k, tgt_of[k]);
                }
            }
            // Sparse rows when fewer than half of the source cells reach the group (not for
            // plastic projections: their rules walk the rows by source cell). Delivery is then
            // faster: spikes are routed to the groups they reach (route_for), instead of every
            // group looking at every spike, which is cheaper only where most spikes do reach
            // it (at 64000 cells, where about 43 % of the sources reach each group, routing
            // cut the run loop by 7-15 %; bench/RESULTS.md). They cost 4 bytes for the row
            // and 8 in the routing table per source that reaches the group, against 4 per
            // source cell: less memory below a third, up to 1.5 times as much at a half.
            if (pr.plasticity.empty() && 2 * run_src.size() < std::size_t{n_src}) {
                b.src_ids.assign(run_src.begin(), run_src.end());
                b.row.reserve(run_at.size() + 1);
                b.row.assign(run_at.begin(), run_at.end());
                b.row.push_back(static_cast<std::uint32_t>(n));
                b.sparse = true;
            } else {
                // Row s starts at the first synapse from a source >= s.
                b.row.assign(std::size_t{n_src} + 1, static_cast<std::uint32_t>(n));
                for (std::uint32_t r = 0, s = 0; r < run_src.size(); ++r)
                    for (; s <= run_src[r]; ++s) b.row[s] = run_at[r];
            }
            g.in.push_back(std::move(b));
        }
    }

    // The routing table of the sparse blocks (built from their src_ids, which are then released):
    // per source cell, its (sparse block, row) pairs in group and block order, which is the order
    // in which collect_events delivers a spike's synapses.
    void build_routes() {
        const std::size_t np = net.populations.size();
        route_offset.assign(np, {});
        route.clear();
        route.resize(np);
        sparse_blocks.clear();
        std::vector<std::vector<std::uint32_t>> pop_blocks(np); // sparse block ids by source population
        for (auto gi : local)
            for (std::uint32_t bi = 0; bi < groups[gi].in.size(); ++bi) {
                const InBlock& b = groups[gi].in[bi];
                if (!b.sparse) continue;
                if (route_offset[b.source_pop].empty())
                    route_offset[b.source_pop].assign(std::size_t{net.populations[b.source_pop].size} + 1, 0);
                pop_blocks[b.source_pop].push_back(static_cast<std::uint32_t>(sparse_blocks.size()));
                sparse_blocks.emplace_back(gi, bi);
            }
        // Counted and filled in parallel by ranges of source cells (each task writes only its
        // sources' entries; a block's src_ids are ascending, so its part of a range is found by
        // binary search), in sparse block order within each source.
        auto by_source_range = [&](std::size_t p, auto&& f) {
            const std::uint32_t n = net.populations[p].size;
            const std::uint32_t parts = std::min<std::uint32_t>(n, 8u * static_cast<std::uint32_t>(n_threads));
            arena.execute([&] {
                tbb::parallel_for(std::uint32_t{0}, parts, [&](std::uint32_t k) {
                    const auto s0 = static_cast<std::uint32_t>(std::uint64_t{n} * k / parts);
                    const auto s1 = static_cast<std::uint32_t>(std::uint64_t{n} * (k + 1) / parts);
                    for (auto sb : pop_blocks[p]) {
                        const auto& ids = groups[sparse_blocks[sb].first].in[sparse_blocks[sb].second].src_ids;
                        auto i = static_cast<std::uint32_t>(std::lower_bound(ids.begin(), ids.end(), s0) - ids.begin());
                        for (; i < ids.size() && ids[i] < s1; ++i) f(sb, i, ids[i]);
                    }
                });
            });
        };
        for (std::size_t p = 0; p < np; ++p) {
            auto& off = route_offset[p];
            if (off.empty()) continue;
            by_source_range(p, [&](std::uint32_t, std::uint32_t, std::uint32_t src) { ++off[src + 1]; });
            std::partial_sum(off.begin(), off.end(), off.begin());
            route[p].resize_uninitialised(off.back()); // written in parallel below (pages too)
            std::vector<std::uint64_t> fill(off.begin(), off.end() - 1);
            by_source_range(p, [&](std::uint32_t sb, std::uint32_t i, std::uint32_t src) {
                route[p][fill[src]++] = {sb, i};
            });
        }
        for (auto& [gi, bi] : sparse_blocks) {
            groups[gi].in[bi].src_ids = {};
            groups[gi].routed = true;
        }
        for (auto gi : local)
            for (const InBlock& b : groups[gi].in) groups[gi].scans = groups[gi].scans || !b.sparse;
        // Chunks: the EpochTeam's blocks for this many lanes (see Simulation::Impl::run).
        const std::vector<std::size_t> first =
            EpochTeam::blocks(local_cost, EpochTeam::lanes_for(local_cost.size(), n_threads));
        std::vector<std::uint32_t> local_pos(groups.size(), 0);
        for (std::uint32_t i = 0; i < local.size(); ++i) local_pos[local[i]] = i;
        route_chunks.clear();
        chunk_of.assign(local.size(), 0);
        for (std::size_t c = 0; c + 1 < first.size(); ++c) {
            auto rc = std::make_unique<RouteChunk>();
            rc->first = first[c], rc->last = first[c + 1];
            for (std::size_t i = rc->first; i < rc->last; ++i) chunk_of[i] = static_cast<std::uint32_t>(c);
            // Sparse blocks are numbered in local group order: the chunk's are contiguous.
            auto first_block_at = [&](std::size_t pos) {
                return static_cast<std::uint32_t>(
                    std::partition_point(sparse_blocks.begin(), sparse_blocks.end(),
                                         [&](const auto& x) { return local_pos[x.first] < pos; }) -
                    sparse_blocks.begin());
            };
            rc->sb0 = first_block_at(rc->first);
            rc->sb1 = first_block_at(rc->last);
            route_chunks.push_back(std::move(rc));
        }
    }

    // Phase 1, before a group with sparse blocks collects its events: the pending spikes'
    // pairs of the routing table that belong to the groups of its chunk go to those groups'
    // inboxes, in spike order, once per chunk and epoch (whichever of the chunk's items comes
    // first does it; the others wait).
    void route_for(std::size_t local_index) {
        RouteChunk& rc = *route_chunks[chunk_of[local_index]];
        const std::uint64_t done = 2 * route_stamp + 2, claimed = done - 1;
        std::uint64_t v = rc.state.load(std::memory_order_acquire);
        if (v == done) return;
        if (v < claimed && rc.state.compare_exchange_strong(v, claimed, std::memory_order_acq_rel)) {
            // Done even when routing throws: the run then stops with that error, and no item
            // of the chunk may wait for ever.
            struct Mark {
                std::atomic<std::uint64_t>& state;
                std::uint64_t done;
                ~Mark() { state.store(done, std::memory_order_release); }
            } mark{rc.state, done};
            route_chunk(rc);
            return;
        }
        for (unsigned k = 0; rc.state.load(std::memory_order_acquire) != done; ++k)
            if (k > 1000) std::this_thread::yield();
    }

    void route_chunk(const RouteChunk& rc) {
        for (std::size_t i = rc.first; i < rc.last; ++i) groups[local[i]].inbox.clear();
        if (rc.sb0 == rc.sb1) return;
        for (std::uint32_t i = 0; i < pending.size(); ++i) {
            const GSpike& s = pending[i];
            const auto& off = route_offset[s.pop];
            if (off.empty()) continue;
            // A source's pairs are in sparse block order: this chunk's are a contiguous run.
            const Route* r = route[s.pop].data() + off[s.local];
            const Route* const r_end = route[s.pop].data() + off[s.local + 1];
            if (rc.sb0 > 0) r = std::partition_point(r, r_end, [&](const Route& x) { return x.block < rc.sb0; });
            for (; r != r_end && r->block < rc.sb1; ++r) {
                const auto [gi, bi] = sparse_blocks[r->block];
                groups[gi].inbox.push_back({i, bi, r->row});
            }
        }
    }

    std::vector<bool> pop_slots_used(std::uint32_t pop, const ModelInfo& m) const {
        std::vector<bool> used(m.compartments.size() * m.receptors.size(), false);
        for (auto gi : pop_groups[pop])
            for (auto& b : groups[gi].in)
                if (!b.target.empty()) used[b.slot] = true;
        for (auto& sd : net.stimuli) {
            const KindInfo* k = registry.stimulus(sd.type);
            if (sd.target == pop && k && k->emits_events)
                used[sd.compartment * m.receptors.size() + sd.receptor] = true;
        }
        return used;
    }

    // Which slots of each population receive input, network-wide (in a distributed run each
    // rank holds only the synapses onto its own cells: OR over the ranks).
    std::vector<std::vector<bool>> all_slots_used() {
        std::vector<std::vector<bool>> used;
        for (std::uint32_t p = 0; p < net.populations.size(); ++p) used.push_back(pop_slots_used(p, *models[p]));
        if (!ex) return used;
        send_buf.clear();
        for (auto& u : used)
            for (bool b : u) pack(send_buf, static_cast<char>(b));
        ex->allgather(send_buf, recv_buf, recv_counts);
        const char* q = recv_buf.data();
        for (int r = 0; r < n_ranks; ++r)
            for (auto& u : used)
                for (std::size_t i = 0; i < u.size(); ++i) u[i] = u[i] || unpack<char>(q) != 0;
        return used;
    }

    void build_groups() {
        const bool grid = net.event_times == NetworkDesc::EventTimes::grid;
        // Decided per population, not per group, so every group of a population integrates
        // with the same method.
        const std::vector<std::vector<bool>> slots_used = all_slots_used();
        // In parallel: each group's cells and stimuli are drawn from their own streams.
        parallel_groups([&](Group& g) { build_group(g, grid, slots_used); });
    }

    void build_group(Group& g, bool grid, const std::vector<std::vector<bool>>& slots_used) {
        const auto& pd = net.populations[g.pop];
        const ModelInfo& m = *models[g.pop];
        GroupBuild gb{m, pd, g.pop, g.first, g.count, g.gid0, net.seed, net.dt, {}, grid, {}};
        gb.receptor_used = slots_used[g.pop];
        for (std::uint32_t si = 0; si < net.stimuli.size(); ++si) {
            const auto& sd = net.stimuli[si];
            if (sd.target != g.pop) continue;
            const KindInfo* k = registry.stimulus(sd.type);
            if (!k) throw std::invalid_argument("unknown stimulus type '" + sd.type + "'");
            // The stimulus's cells that fall into this group, group-local.
            std::vector<std::uint32_t> local;
            if (sd.cells.empty()) {
                local.resize(g.count);
                std::iota(local.begin(), local.end(), 0u);
            } else {
                for (auto c : sd.cells)
                    if (c >= g.first && c < g.first + g.count) local.push_back(c - g.first);
                if (local.empty()) continue;
            }
            if (k->emits_events) {
                const auto slot = static_cast<std::uint16_t>(sd.compartment * m.receptors.size() + sd.receptor);
                StimulusBuild sb{sd, si, net.seed, g.gid0, local, slot};
                g.sources.push_back(k->make_events(sb));
                g.source_stimulus.push_back(si);
            } else {
                CurrentInput ci;
                ci.compartment = sd.compartment;
                ci.waveform = k->make_waveform(sd);
                if (!sd.cells.empty()) ci.cells = std::move(local);
                gb.currents.push_back(std::move(ci));
            }
        }
        g.cells = m.make(gb);
        g.bins.resize(ring);
    }

    void build_probes() {
        for (std::uint32_t pi = 0; pi < net.probes.size(); ++pi) {
            const auto& pd = net.probes[pi];
            const double r = pd.interval / net.dt;
            const auto stride = static_cast<std::int64_t>(std::llround(r));
            if (stride < 1 || std::abs(r - static_cast<double>(stride)) > 1e-6)
                throw std::invalid_argument("probe '" + pd.name + "': interval must be a positive multiple of dt");
            probe_stride.push_back(stride);
            const auto nv = static_cast<std::uint32_t>(pd.variables.size());
            probe_width.push_back(nv * static_cast<std::uint32_t>(pd.cells.size()));
        }
        for (auto gi : local) {
            Group& g = groups[gi];
            std::vector<GroupProbe> gp;
            for (std::uint32_t pi = 0; pi < net.probes.size(); ++pi) {
                const auto& pd = net.probes[pi];
                if (pd.population != g.pop) continue;
                GroupProbe q;
                q.probe = pi;
                q.variables = pd.variables;
                q.stride = probe_stride[pi];
                for (std::uint32_t k = 0; k < pd.cells.size(); ++k) {
                    const auto c = pd.cells[k];
                    if (c < g.first || c >= g.first + g.count) continue;
                    q.cells.push_back(c - g.first);
                    q.columns.push_back(k * static_cast<std::uint32_t>(pd.variables.size()));
                }
                if (!q.cells.empty()) gp.push_back(std::move(q));
            }
            g.cells->set_probes(std::move(gp));
        }
    }

    double to_grid(double t) const { return next_step_boundary(t, net.dt); }

    // The step whose interval [n dt, (n+1) dt) holds t, with boundaries computed as n * dt,
    // exactly as the models compute step times (the division alone can land one off).
    std::int64_t step_of(double t) const {
        // A first guess by multiplication (times are >= 0, so truncation is floor), then the
        // exact answer by comparing with the boundaries n * dt.
        auto n = t > 0 ? static_cast<std::int64_t>(t * inv_dt) : 0;
        while (t >= static_cast<double>(n + 1) * net.dt) ++n;
        while (n > 0 && t < static_cast<double>(n) * net.dt) --n;
        return n;
    }

    // Phase 1 of an epoch, per group: deliver the last epoch's spikes into this group's
    // step bins, add stimulus events, hand the epoch's bins to the model as an EventSpan.
    void collect_events(Group& g, const Epoch& e) {
        const bool grid = net.event_times == NetworkDesc::EventTimes::grid;
        const auto R = static_cast<std::int64_t>(ring);
        auto bin_index = [&](double t) {
            // Delays >= epoch length put every arrival after this epoch's start; the clamp
            // only guards against rounding.
            const std::int64_t n = std::max(step_of(t), e.step0);
            return static_cast<std::size_t>(n % R);
        };
        auto bin_of = [&](double t) -> PodBuffer<Event>& { return g.bins[bin_index(t)]; };
        g.bin_cache.assign(g.in.size(), Group::BinCache{});
        // Spike s's synapses [r0, r1) of block bi into the bins.
        auto deliver = [&](const GSpike& s, std::size_t bi, std::uint32_t r0, std::uint32_t r1) {
            const InBlock& b = g.in[bi];
            if (r0 == r1) return;
            // Transmission filtered (0: not carried) or scaled by short-term plasticity.
            const auto& gn = gain[b.projection];
            const float f = gn.empty() ? 1.0f : gn[s.idx];
            if (f == 0.0f) return;
            if (b.as_rows) {
                // The model reads the row's targets when it applies the row, later in
                // this epoch; fetching them now overlaps the misses of all rows.
                __builtin_prefetch(b.target.data() + r0);
                Group::BinCache& bc = g.bin_cache[bi];
                if (s.time != bc.time) {
                    bc.time = s.time;
                    bc.arrival = to_grid(s.time + b.const_delay); // (rows: grid event times only)
                    bc.rows = &g.row_bins[bin_index(bc.arrival)];
                }
                bc.rows->push_back({b.target.data() + r0, b.weight.empty() ? nullptr : b.weight.data() + r0,
                                    b.const_weight, f, r1 - r0, b.slot});
            } else if (f != 1.0f) {
                for (std::uint32_t k = r0; k < r1; ++k) {
                    const double d = b.delay.empty() ? b.const_delay : static_cast<double>(b.delay[k]);
                    const double t = grid ? to_grid(s.time + d) : s.time + d;
                    bin_of(t).push_back({t, b.target[k], b.slot, b.weight_of(k) * f});
                }
            } else if (b.delay.empty()) {
                Group::BinCache& bc = g.bin_cache[bi];
                if (s.time != bc.time) {
                    bc.time = s.time;
                    bc.arrival = grid ? to_grid(s.time + b.const_delay) : s.time + b.const_delay;
                    bc.bin = &bin_of(bc.arrival);
                }
                const double t = bc.arrival;
                Event* out = bc.bin->extend(r1 - r0);
                if (b.weight.empty()) {
                    const float w = b.const_weight;
                    for (std::uint32_t k = r0; k < r1; ++k) *out++ = Event{t, b.target[k], b.slot, w};
                } else {
                    for (std::uint32_t k = r0; k < r1; ++k) *out++ = Event{t, b.target[k], b.slot, b.weight[k]};
                }
            } else {
                for (std::uint32_t k = r0; k < r1; ++k) {
                    const double t = grid ? to_grid(s.time + b.delay[k]) : s.time + b.delay[k];
                    bin_of(t).push_back({t, b.target[k], b.slot, b.weight_of(k)});
                }
            }
        };
        // Every spike in (time, gid) order, and for each its blocks in order: dense blocks by
        // their rows, sparse ones from the inbox (route_for), which holds exactly the (spike,
        // block) pairs with synapses, in that same order. A group with sparse blocks only reads
        // just its inbox.
        if (g.routed && !g.scans) {
            for (const Group::Routed& x : g.inbox)
                deliver(pending[x.spike], x.block, g.in[x.block].row[x.row], g.in[x.block].row[x.row + 1]);
        } else {
            const Group::Routed* x = g.inbox.data();
            const Group::Routed* const x_end = x + g.inbox.size();
            for (std::uint32_t i = 0; i < pending.size(); ++i) {
                const GSpike& s = pending[i];
                for (std::uint32_t bi = 0; bi < g.in.size(); ++bi) {
                    const InBlock& b = g.in[bi];
                    if (b.source_pop != s.pop) continue;
                    if (!b.sparse) deliver(s, bi, b.row[s.local], b.row[s.local + 1]);
                    else if (x != x_end && x->spike == i && x->block == bi) {
                        deliver(s, bi, b.row[x->row], b.row[x->row + 1]);
                        ++x;
                    }
                }
            }
        }
        // Plasticity after delivery: the last epoch's spikes were carried with the weights
        // they found; the rule now applies that epoch's pre/post spikes in time order.
        for (InBlock& b : g.in)
            if (b.rule) apply_plasticity(g, b);
        for (auto& src : g.sources) src->generate(e, g.stim);
        for (auto x : g.stim) {
            if (grid) x.time = to_grid(x.time); // may move to the next epoch's first step
            bin_of(x.time).push_back(x);
        }
        g.stim.clear();
        g.epoch_steps.clear();
        g.epoch_rows.clear();
        for (std::int64_t n = e.step0; n < e.step1; ++n) {
            auto& bin = g.bins[static_cast<std::size_t>(n % R)];
            g.epoch_steps.emplace_back(bin.data(), bin.size());
            if (g.takes_rows) {
                auto& rows = g.row_bins[static_cast<std::size_t>(n % R)];
                g.epoch_rows.emplace_back(rows.data(), rows.size());
            }
        }
    }

    void apply_plasticity(const Group& g, InBlock& b) {
        const auto& pr = net.projections[b.projection];
        b.plastic_spikes.clear();
        for (const GSpike& s : pending) {
            const bool learn = pr.learning.at(s.time);
            if (s.pop == g.pop && s.local >= g.first && s.local < g.first + g.count)
                b.plastic_spikes.push_back({s.time, s.local - g.first, s.kind, true, learn});
            if (s.pop == b.source_pop) b.plastic_spikes.push_back({s.time, s.local, s.kind, false, learn});
        }
        if (b.plastic_spikes.empty()) return;
        SynapseView v{b.row,
                      b.target,
                      b.weight,
                      b.by_target_offset,
                      b.by_target,
                      b.source_of,
                      static_cast<std::uint32_t>(b.row.size() - 1),
                      g.count};
        b.rule->update(v, b.plastic_spikes);
    }

    // Phase 3b (serial, after the exchange sort): classify each population's spikes, then
    // decide per projection which spikes it carries and with what efficacy (transmit mode,
    // short-term plasticity). Both walk spikes in (time, gid) order: thread-independent.
    void classify_and_transmit(double t_now, RecordingSink& sink) {
        if (!hooks_active) return; // nothing classifies or filters: spikes go out as they are
        for (auto& v : pop_spikes) v.clear();
        for (std::uint32_t i = 0; i < pending.size(); ++i) {
            auto& s = pending[i];
            s.idx = static_cast<std::uint32_t>(pop_spikes[s.pop].size());
            pop_spikes[s.pop].push_back(i);
        }
        std::vector<double> times, ev, bu;
        std::vector<std::uint32_t> cells;
        std::vector<SpikeKind> kinds;
        for (std::uint32_t p = 0; p < classifiers.size(); ++p) {
            if (!classifiers[p]) continue;
            times.clear(), cells.clear(), ev.clear(), bu.clear();
            for (auto i : pop_spikes[p]) times.push_back(pending[i].time), cells.push_back(pending[i].local);
            kinds.assign(times.size(), SpikeKind::unclassified);
            bursts_done.clear();
            classifiers[p]->classify(times, cells, kinds, t_now, bursts_done);
            for (std::size_t j = 0; j < kinds.size(); ++j) {
                pending[pop_spikes[p][j]].kind = kinds[j];
                if (kinds[j] == SpikeKind::event) ev.push_back(times[j]);
                if (kinds[j] == SpikeKind::burst) bu.push_back(times[j]);
            }
            sink.classified(p, ev, bu);
            emit_bursts(p, sink);
        }
        std::vector<SourceSpike> carried;
        std::vector<std::uint32_t> at;
        std::vector<float> eff;
        for (std::uint32_t pi = 0; pi < net.projections.size(); ++pi) {
            const auto& pr = net.projections[pi];
            auto& gn = gain[pi];
            gn.clear();
            if (pr.transmit == ProjectionDesc::Transmit::spikes && !stp[pi]) continue;
            const auto& idx = pop_spikes[pr.source];
            gn.assign(idx.size(), 0.0f);
            carried.clear(), at.clear();
            for (std::uint32_t j = 0; j < idx.size(); ++j) {
                const GSpike& s = pending[idx[j]];
                const bool pass = pr.transmit == ProjectionDesc::Transmit::spikes ||
                                  (pr.transmit == ProjectionDesc::Transmit::events && s.kind == SpikeKind::event) ||
                                  (pr.transmit == ProjectionDesc::Transmit::bursts && s.kind == SpikeKind::burst);
                if (!pass) continue;
                carried.push_back({s.time, s.local, s.kind});
                at.push_back(j);
            }
            eff.assign(carried.size(), 1.0f);
            if (stp[pi]) stp[pi]->transmit(carried, eff);
            // An efficacy of exactly 0 would read as "not carried"; it carries nothing anyway.
            for (std::size_t j = 0; j < at.size(); ++j) gn[at[j]] = eff[j];
        }
    }

    void emit_bursts(std::uint32_t p, RecordingSink& sink) {
        std::sort(bursts_done.begin(), bursts_done.end(), [](const BurstRecord& a, const BurstRecord& b) {
            return a.onset != b.onset ? a.onset < b.onset : a.cell < b.cell;
        });
        sink.bursts(p, bursts_done);
    }

    // Weight probes, at the first epoch end at or after each multiple of their interval. The
    // sum is taken per group and the group sums are added in group order, and samples are the
    // first weights in group order, so a distributed run (groups on several ranks, gathered
    // to rank 0) reports the same numbers as one process.
    void emit_weights(double t_now, RecordingSink& sink) {
        std::vector<float> samples;
        for (std::uint32_t w = 0; w < net.weight_probes.size(); ++w) {
            const auto& wp = net.weight_probes[w];
            if (t_now + 1e-9 < next_weight_sample[w]) continue;
            while (next_weight_sample[w] <= t_now + 1e-9) next_weight_sample[w] += wp.interval;
            send_buf.clear();
            for (auto gi : local) {
                double gsum = 0.0;
                samples.clear();
                for (auto& b : groups[gi].in) {
                    if (b.projection != wp.projection) continue;
                    for (std::uint32_t k = 0; k < b.target.size(); ++k) gsum += b.weight_of(k);
                    for (std::uint32_t k = 0; k < b.target.size() && samples.size() < wp.samples; ++k)
                        samples.push_back(b.weight_of(k));
                }
                pack(send_buf, gi);
                pack(send_buf, gsum);
                pack(send_buf, static_cast<std::uint64_t>(samples.size()));
                pack(send_buf, samples.data(), samples.size());
            }
            if (ex) ex->gather(send_buf, recv_buf, recv_counts);
            else recv_buf.swap(send_buf);
            if (rank != 0) continue;
            // Rank order is group order (ranks own contiguous blocks of groups).
            double sum = 0.0;
            samples.clear();
            const char* q = recv_buf.data();
            const char* end = q + recv_buf.size();
            while (q < end) {
                (void)unpack<std::uint32_t>(q);
                sum += unpack<double>(q);
                const auto n = unpack<std::uint64_t>(q);
                for (std::uint64_t k = 0; k < n; ++k) {
                    const auto x = unpack<float>(q);
                    if (samples.size() < wp.samples) samples.push_back(x);
                }
            }
            sink.weights(w, t_now, sum, samples);
        }
    }

    // After the model has consumed them, this epoch's bins are emptied for reuse.
    void release_events(Group& g, const Epoch& e) {
        const auto R = static_cast<std::int64_t>(ring);
        for (std::int64_t n = e.step0; n < e.step1; ++n) {
            g.bins[static_cast<std::size_t>(n % R)].clear();
            if (g.takes_rows) g.row_bins[static_cast<std::size_t>(n % R)].clear();
        }
    }

    double run(double t_stop, RecordingSink& sink, const std::atomic<bool>* stop) {
        const auto t_run = std::chrono::steady_clock::now();
        struct Clock { // adds run()'s wall time to stats however run() ends
            NetworkStats& st;
            std::chrono::steady_clock::time_point t0;
            ~Clock() { st.run_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); }
        } clock{stats, t_run};
        // (Beyond max_run_steps, llround would overflow; the scenario reader refuses such
        // durations too.)
        if (!(t_stop / net.dt <= max_run_steps))
            throw std::invalid_argument("Simulation::run: t_stop " + std::to_string(t_stop) +
                                        " ms is more than 2^52 steps of dt (" + std::to_string(net.dt) + " ms)");
        const auto n_stop = static_cast<std::int64_t>(std::llround(t_stop / net.dt));
        std::vector<GSpike> next;
        unplaced = SIZE_MAX; // (a run abandoned by an exception may have left these set)
        while (!runs.empty()) {
            spare_runs.push_back(std::move(runs.back()));
            runs.pop_back();
        }
        std::vector<double> times;
        std::vector<std::uint64_t> ids;
        std::vector<float> rows;
        Epoch e;
        // Phase 1+2 (parallel, per group): gather events (needs the previous epoch's
        // exchanged spikes), then advance the cells. Groups touch only their own state.
        auto advance_group = [&](std::size_t i) {
            Group& g = groups[local[i]];
            if (g.routed) route_for(i);
            collect_events(g, e);
            g.spikes.clear();
            g.cells->samples().clear();
            for (auto& r : g.cells->records()) r.clear();
            EventSpan span{g.epoch_steps, g.epoch_rows};
            g.cells->advance(e, span, g.spikes);
            // Phase 3 merges the groups' spikes into (time, gid) order; each group's own
            // list is put into (time, cell) order here, in parallel (usually it already is).
            if (!std::is_sorted(g.spikes.begin(), g.spikes.end(), by_time_cell))
                std::sort(g.spikes.begin(), g.spikes.end(), by_time_cell);
            release_events(g, e);
            g.bad = g.cells->find_bad_state(g.bad_state);
        };
        // One team for the whole run (core/epoch_team.hpp): the serial phases run on this
        // thread, the helpers wait between epochs instead of being started for each.
        // The next epoch's phase 1+2 may start before this one's phase 4 (spike recording):
        // the items only read the sorted spikes that phase 4 reads, and touch no sink.
        // A stop request seen by this process alone (distributed runs agree on stopping in
        // phase 3 instead: no rank leaves alone).
        auto stop_here = [&] { return !ex && stop && stop->load(std::memory_order_relaxed); };
        auto start_epoch = [&](EpochTeam& team) {
            e.step0 = step;
            e.step1 = std::min((step / epoch_steps + 1) * epoch_steps, n_stop);
            e.dt = net.dt;
            team.start();
        };
        EpochTeam::run(arena, n_threads, local_cost, advance_group, [&](EpochTeam& team) {
            bool started = false; // the next epoch's phase 1+2 was started during phase 4
            while (step < n_stop) {
                if (!started) {
                    if (stop_here()) break;
                    start_epoch(team);
                }
                team.finish([&](std::size_t k) { take_spikes(k); });
                merge_runs(next);
                started = false;
                // Phase 3 (serial): exchange. Spikes of all groups in (time, gid) order (merged
                // by take_spikes as each group finished, and merge_runs); they are delivered at the
                // start of the next epoch (delays >= epoch length). A bad
                // state anywhere stops every rank at the end of this epoch; nothing of it is
                // recorded.
                // Phase 3b (serial, needs the sorted spikes): burst classification and per-
                // projection transmission (transmit mode, STP efficacy); phase 1 of the next
                // epoch reads both, and then applies plasticity per group (weights owned by it).
                std::string bad;
                for (auto gi : local)
                    if (groups[gi].bad) {
                        bad = bad_state_message(groups[gi], e);
                        break;
                    }
                std::string unmerged;
                if (unplaced != SIZE_MAX) unmerged = net.populations[groups[local[unplaced]].pop].name;
                unplaced = SIZE_MAX;
                bool stop_all = false;
                const auto x0 = std::chrono::steady_clock::now();
                if (ex) {
                    send_buf.clear();
                    pack(send_buf, static_cast<char>(stop && stop->load(std::memory_order_relaxed)));
                    pack(send_buf, static_cast<std::uint64_t>(bad.size()));
                    pack(send_buf, bad.data(), bad.size());
                    pack(send_buf, next.data(), next.size());
                    ex->allgather(send_buf, recv_buf, recv_counts);
                    next.clear();
                    bad.clear();
                    const char* q = recv_buf.data();
                    for (int r = 0; r < n_ranks; ++r) {
                        const char* end = q + recv_counts[static_cast<std::size_t>(r)];
                        stop_all = unpack<char>(q) != 0 || stop_all;
                        const auto nb = unpack<std::uint64_t>(q);
                        if (bad.empty() && nb) bad.assign(q, nb);
                        q += nb;
                        const auto ns = static_cast<std::size_t>(end - q) / sizeof(GSpike);
                        const std::size_t at = next.size();
                        next.resize(at + ns);
                        if (ns) std::memcpy(next.data() + at, q, ns * sizeof(GSpike));
                        q = end;
                    }
                }
                if (!bad.empty()) throw NumericalError(bad);
                if (!unmerged.empty()) // a model bug, not a user error: its bad-state check missed it
                    throw std::logic_error("population '" + unmerged +
                                           "': a cell model emitted a spike without a valid time");
                // (One process: take_spikes and merge_runs already gave this order. Ranks: each rank's
                // spikes are in order, the concatenation is not.)
                if (ex) std::sort(next.begin(), next.end(), by_time_gid);
                stats.exchange_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - x0).count();
                pending.swap(next);
                step = e.step1;
                // Every rank classifies and transmits (the state must advance everywhere); only
                // rank 0 reports.
                RecordingSink& out = rank == 0 ? sink : discard;
                classify_and_transmit(static_cast<double>(step) * net.dt, out);
                ++route_stamp; // new spikes to route (in phase 1, route_for)
                // Phase 4 (serial): recording (rank 0 reports for the whole network). Samples,
                // records and weights first: the next epoch overwrites what they read.
                emit_samples(e, sink, rows);
                emit_records(sink);
                emit_weights(static_cast<double>(step) * net.dt, out);
                // Then the next epoch's phase 1+2 starts, and the spikes are recorded meanwhile.
                // (If the sink throws now, the run is abandoned with that epoch half done:
                // the caller reports the failure and keeps what reached the disk.)
                if (step < n_stop && !stop_all && !stop_here()) {
                    start_epoch(team);
                    started = true;
                }
                if (rank == 0) {
                    for (std::uint32_t p = 0; p < net.populations.size(); ++p) {
                        times.clear();
                        ids.clear();
                        for (auto& s : pending)
                            if (s.pop == p) {
                                times.push_back(s.time);
                                ids.push_back(s.local);
                            }
                        sink.spikes(p, times, ids);
                    }
                    sink.reached(static_cast<double>(step) * net.dt);
                }
                if (stop_all) break;
            }
            // (An epoch is started only when the loop goes on to finish it.)
        });
        return static_cast<double>(step) * net.dt;
    }

    // A NaN time (a model bug, reported after the epoch by take_spikes) orders after every
    // valid time, so that the order stays a strict weak ordering: std::sort with a plain
    // `<` on NaN may run past the end of the list.
    static bool by_time_cell(const LocalSpike& a, const LocalSpike& b) {
        if (a.time == b.time) return a.cell < b.cell;
        if (std::isnan(a.time) || std::isnan(b.time)) return std::isnan(b.time) && !std::isnan(a.time);
        return a.time < b.time;
    }

    static bool by_time_gid(const GSpike& a, const GSpike& b) {
        return a.time != b.time ? a.time < b.time : a.gid < b.gid;
    }

    // Phase 3, one group at a time: EpochTeam::finish hands each group over as soon as its
    // item has finished (lane 0 merges while the other lanes still work), in whatever order
    // the items finish. The group's spikes, in (time, cell) order, become a sorted run of
    // GSpikes; runs are merged pairwise as they come, keeping each run at most half as long
    // as the one below it, so an epoch's N spikes from G groups cost O(N log G) however the
    // groups finish (merging every group into one growing list would cost O(N G): with
    // thousands of groups, far more than the epoch itself). merge_runs() merges what is left.
    // Groups hold disjoint gids, so no tie crosses runs and the result, in (time, gid) order,
    // does not depend on the order the groups come in. A spike without a valid time (NaN) is
    // left out and its group remembered (`unplaced`): the run stops after this epoch,
    // reporting it (after any bad state, which explains it better).
    void take_spikes(std::size_t k) {
        const Group& g = groups[local[k]];
        if (g.spikes.empty()) return;
        std::vector<GSpike> run;
        if (!spare_runs.empty()) {
            run = std::move(spare_runs.back());
            spare_runs.pop_back();
        }
        run.clear();
        for (const LocalSpike& sp : g.spikes) {
            if (std::isnan(sp.time)) {
                unplaced = std::min(unplaced, k);
                continue;
            }
            run.push_back({sp.time, g.gid0 + sp.cell, g.pop, g.first + sp.cell});
        }
        runs.push_back(std::move(run));
        while (runs.size() >= 2 && runs[runs.size() - 2].size() <= 2 * runs.back().size()) merge_top_runs();
    }

    // The two runs on top of the stack become one.
    void merge_top_runs() {
        std::vector<GSpike>& a = runs[runs.size() - 2];
        std::vector<GSpike>& b = runs.back();
        merge_scratch.clear();
        std::merge(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(merge_scratch), by_time_gid);
        a.swap(merge_scratch);
        spare_runs.push_back(std::move(b));
        runs.pop_back();
    }

    // The epoch's spikes in (time, gid) order into `out` (its old contents are dropped).
    void merge_runs(std::vector<GSpike>& out) {
        out.clear();
        if (runs.empty()) return;
        while (runs.size() >= 2) merge_top_runs();
        out.swap(runs.back());
        spare_runs.push_back(std::move(runs.back()));
        runs.pop_back();
    }

    std::string bad_state_message(const Group& g, const Epoch& e) const {
        const auto& pd = net.populations[g.pop];
        const ModelInfo& m = *models[g.pop];
        const auto& var = m.variables.at(static_cast<std::size_t>(g.bad_state.variable));
        auto num = [](double x) {
            std::ostringstream o;
            o << std::setprecision(6) << x;
            return o.str();
        };
        return "population '" + pd.name + "', cell " + std::to_string(g.first + g.bad_state.cell) + ": " + var.name +
               " = " + num(g.bad_state.value) + " " + std::string(canonical_unit(var.dim)) + " in the epoch " +
               num(e.t0()) + "-" + num(e.t1()) +
               " ms; the integration became unstable or ran away. Try a smaller simulation.dt, or check the "
               "parameters of model '" +
               m.name + "' (time constants much shorter than dt, huge weights or currents)";
    }

    // Every declared record of every population, once per epoch. A population split into
    // several groups has its rows merged by time (stable: group order breaks ties).
    void emit_records(RecordingSink& sink) {
        bool any = false;
        for (auto* m : models) any = any || !m->records.empty();
        if (!any) return;
        if (ex) gather_records();
        if (rank != 0) return;
        std::vector<std::size_t> order;
        CellGroup::RecordBuffer merged;
        for (std::uint32_t p = 0; p < net.populations.size(); ++p) {
            const auto& decls = models[p]->records;
            for (std::uint32_t r = 0; r < decls.size(); ++r) {
                const std::size_t width = decls[r].id_name.empty() ? decls[r].columns.size() : 0;
                const auto& gs = pop_groups[p];
                auto buf = [&](std::uint32_t gi) -> CellGroup::RecordBuffer* {
                    auto& rs = groups[gi].cells ? groups[gi].cells->records() : remote_records[gi];
                    return r < rs.size() ? &rs[r] : nullptr;
                };
                if (gs.size() == 1) {
                    if (auto* b = buf(gs[0])) sink.records(p, r, b->times, b->ids, b->values);
                    else sink.records(p, r, {}, {}, {});
                    continue;
                }
                merged.clear();
                for (auto gi : gs)
                    if (auto* b = buf(gi)) {
                        merged.times.insert(merged.times.end(), b->times.begin(), b->times.end());
                        merged.ids.insert(merged.ids.end(), b->ids.begin(), b->ids.end());
                        merged.values.insert(merged.values.end(), b->values.begin(), b->values.end());
                    }
                order.resize(merged.times.size());
                std::iota(order.begin(), order.end(), std::size_t{0});
                std::stable_sort(order.begin(), order.end(),
                                 [&](std::size_t a, std::size_t b) { return merged.times[a] < merged.times[b]; });
                CellGroup::RecordBuffer out;
                for (auto k : order) {
                    out.times.push_back(merged.times[k]);
                    if (width == 0) out.ids.push_back(merged.ids[k]);
                    else
                        out.values.insert(out.values.end(),
                                          merged.values.begin() + static_cast<std::ptrdiff_t>(k * width),
                                          merged.values.begin() + static_cast<std::ptrdiff_t>((k + 1) * width));
                }
                sink.records(p, r, out.times, out.ids, out.values);
            }
        }
    }

    void emit_samples(const Epoch& e, RecordingSink& sink, std::vector<float>& rows) {
        if (net.probes.empty()) return;
        // This epoch's samples of every group (gathered on rank 0 in a distributed run).
        wire.clear();
        for (auto gi : local)
            for (auto& q : groups[gi].cells->samples()) wire.push_back({q.probe, q.column, q.step, q.value});
        if (ex) {
            send_buf.clear();
            pack(send_buf, wire.data(), wire.size());
            ex->gather(send_buf, recv_buf, recv_counts);
            if (rank != 0) return;
            wire.resize(recv_buf.size() / sizeof(WireSample));
            if (!wire.empty()) std::memcpy(wire.data(), recv_buf.data(), wire.size() * sizeof(WireSample));
        }
        for (std::uint32_t pi = 0; pi < net.probes.size(); ++pi) {
            const std::int64_t stride = probe_stride[pi];
            const std::int64_t first = (e.step0 + stride - 1) / stride * stride;
            if (first >= e.step1) continue;
            const auto n_rows = static_cast<std::size_t>((e.step1 - 1 - first) / stride + 1);
            const std::size_t w = probe_width[pi];
            rows.assign(n_rows * w, std::numeric_limits<float>::quiet_NaN());
            for (auto& q : wire)
                if (q.probe == pi) rows[static_cast<std::size_t>((q.step - first) / stride) * w + q.column] = q.value;
            sink.samples(pi, rows, n_rows);
        }
    }
    std::vector<WireSample> wire;

    // Distributed runs: every rank's synapses of a projection, concatenated on rank 0 in rank
    // (= group) order, the order of a single process. Collective.
    SynapseList gather_synapses(std::uint32_t, const SynapseList& mine) {
        send_buf.clear();
        pack(send_buf, static_cast<std::uint64_t>(mine.source.size()));
        pack(send_buf, mine.source.data(), mine.source.size());
        pack(send_buf, mine.target.data(), mine.target.size());
        pack(send_buf, mine.weight.data(), mine.weight.size());
        pack(send_buf, mine.delay.data(), mine.delay.size());
        ex->gather(send_buf, recv_buf, recv_counts);
        SynapseList all;
        if (rank != 0) return all;
        const char* q = recv_buf.data();
        const char* end = q + recv_buf.size();
        auto take = [&](auto& v, std::uint64_t n) {
            const std::size_t at = v.size();
            v.resize(at + n);
            if (n) std::memcpy(v.data() + at, q, n * sizeof(v[0]));
            q += n * sizeof(v[0]);
        };
        while (q < end) {
            const auto n = unpack<std::uint64_t>(q);
            take(all.source, n), take(all.target, n), take(all.weight, n), take(all.delay, n);
        }
        return all;
    }

    // Distributed runs: rank 0 receives the record buffers of the other ranks' groups.
    std::map<std::uint32_t, std::vector<CellGroup::RecordBuffer>> remote_records;
    void gather_records() {
        send_buf.clear();
        for (auto gi : local) {
            auto& rs = groups[gi].cells->records();
            if (rs.empty()) continue;
            pack(send_buf, gi);
            pack(send_buf, static_cast<std::uint64_t>(rs.size()));
            for (auto& b : rs) {
                pack(send_buf, static_cast<std::uint64_t>(b.times.size()));
                pack(send_buf, b.times.data(), b.times.size());
                pack(send_buf, static_cast<std::uint64_t>(b.ids.size()));
                pack(send_buf, b.ids.data(), b.ids.size());
                pack(send_buf, static_cast<std::uint64_t>(b.values.size()));
                pack(send_buf, b.values.data(), b.values.size());
            }
        }
        ex->gather(send_buf, recv_buf, recv_counts);
        remote_records.clear();
        if (rank != 0) return;
        const char* q = recv_buf.data();
        const char* end = q + recv_buf.size();
        auto read = [&](auto& v) {
            const auto n = unpack<std::uint64_t>(q);
            v.resize(n);
            if (n) std::memcpy(v.data(), q, n * sizeof(v[0]));
            q += n * sizeof(v[0]);
        };
        while (q < end) {
            const auto gi = unpack<std::uint32_t>(q);
            auto& rs = remote_records[gi];
            rs.resize(unpack<std::uint64_t>(q));
            for (auto& b : rs) read(b.times), read(b.ids), read(b.values);
        }
    }
};

std::string Simulation::checkpoint_unsupported() const {
    const Impl& m = *impl_;
    if (m.n_ranks > 1) return "checkpoints of a network spread over MPI ranks are not supported yet";
    for (std::size_t p = 0; p < m.classifiers.size(); ++p)
        if (m.classifiers[p] && !m.classifiers[p]->can_checkpoint())
            return "population '" + m.net.populations[p].name + "' is burst-classified by rule '" + m.net.burst_rule +
                   "', which cannot save its state in a checkpoint";
    for (std::size_t pi = 0; pi < m.stp.size(); ++pi)
        if (m.stp[pi] && !m.stp[pi]->can_checkpoint())
            return "projection '" + m.net.projections[pi].name + "' has short-term plasticity '" +
                   m.net.projections[pi].stp + "', which cannot save its state in a checkpoint";
    for (auto& g : m.groups)
        for (auto& b : g.in)
            if (b.rule && !b.rule->can_checkpoint())
                return "projection '" + m.net.projections[b.projection].name + "' has plasticity rule '" +
                       m.net.projections[b.projection].plasticity + "', which cannot save its state in a checkpoint";
    for (auto& g : m.groups)
        if (!g.cells->can_checkpoint())
            return "population '" + m.net.populations[g.pop].name + "' (model " + m.models[g.pop]->name +
                   ") cannot save its state in a checkpoint";
    for (auto& g : m.groups)
        for (std::size_t k = 0; k < g.sources.size(); ++k)
            if (!g.sources[k]->can_checkpoint()) {
                const auto& sd = m.net.stimuli[g.source_stimulus[k]];
                return "stimulus '" + sd.name + "' (type " + sd.type + ") cannot save its state in a checkpoint";
            }
    return "";
}

void Simulation::save_state(StateWriter& w) const {
    const Impl& m = *impl_;
    if (const std::string why = checkpoint_unsupported(); !why.empty()) throw CheckpointError(why);
    w.begin("simulation");
    w.put(engine_state_version);
    w.put(m.step);
    w.put(m.epoch_steps);
    w.put(std::uint64_t{m.ring});
    w.put(std::uint64_t{m.groups.size()});
    w.put(m.pending);
    // The spike hooks: per population its classifier, per projection the transmission gains
    // of the spikes in flight (computed when they were exchanged, used when they are
    // delivered) and its short-term plasticity; the weight probes' next sample times.
    w.begin("hooks");
    w.put(std::uint64_t{m.classifiers.size()});
    for (auto& c : m.classifiers) save_optional(w, "classifier", c.get());
    w.put(std::uint64_t{m.stp.size()});
    for (std::size_t pi = 0; pi < m.stp.size(); ++pi) {
        w.put(m.gain[pi]);
        save_optional(w, "stp", m.stp[pi].get());
    }
    w.put(m.next_weight_sample);
    w.end();
    std::vector<Event> bin;
    std::vector<SavedRow> saved_rows;
    for (auto& g : m.groups) {
        w.begin("group");
        w.put(g.pop), w.put(g.first), w.put(g.count);
        for (auto& b : g.bins) {
            bin.assign(b.begin(), b.end());
            w.put(bin);
        }
        w.put(std::uint8_t{g.takes_rows});
        for (auto& rb : g.row_bins) {
            saved_rows.clear();
            for (const SynapseRow& x : rb) saved_rows.push_back(save_row(g, x));
            w.put(saved_rows);
        }
        w.begin("cells");
        g.cells->save_state(w);
        w.end();
        w.put(std::uint64_t{g.sources.size()});
        for (auto& src : g.sources) {
            w.begin("stimulus");
            src->save_state(w);
            w.end();
        }
        w.put(std::uint64_t{g.in.size()});
        for (auto& b : g.in) save_projection_state(b, w);
        w.end();
    }
    w.end();
}

void Simulation::load_state(StateReader& r) {
    Impl& m = *impl_;
    if (const std::string why = checkpoint_unsupported(); !why.empty()) throw CheckpointError(why);
    auto expect = [](std::uint64_t saved, std::uint64_t here, const char* what) {
        if (saved != here)
            throw CheckpointError("checkpoint: " + std::string(what) + " is " + std::to_string(saved) +
                                  " in the checkpoint, " + std::to_string(here) +
                                  " in this network (saved by another network or another version?)");
    };
    r.begin("simulation");
    expect(r.get<std::uint32_t>(), engine_state_version, "the engine state version");
    const auto step = r.get<std::int64_t>();
    if (step < 0) throw CheckpointError("checkpoint: negative simulation step");
    expect(static_cast<std::uint64_t>(r.get<std::int64_t>()), static_cast<std::uint64_t>(m.epoch_steps),
           "the epoch length in steps");
    expect(r.get<std::uint64_t>(), m.ring, "the event ring length");
    expect(r.get<std::uint64_t>(), m.groups.size(), "the number of cell groups");
    r.get_vector(m.pending, true);
    ++m.route_stamp; // other spikes in flight: routed anew in the next epoch
    for (auto& s : m.pending)
        if (s.pop >= m.net.populations.size() || s.local >= m.net.populations[s.pop].size)
            throw CheckpointError("checkpoint: a spike in flight names a cell this network does not have");
    r.begin("hooks");
    expect(r.get<std::uint64_t>(), m.classifiers.size(), "the number of populations");
    for (std::size_t p = 0; p < m.classifiers.size(); ++p)
        load_optional(r, "classifier", m.classifiers[p].get(), [&](bool has) {
            return "checkpoint: population '" + m.net.populations[p].name + "' is " + (has ? "" : "not ") +
                   "burst-classified in the checkpoint, but " + (has ? "not " : "") +
                   "here (saved by another network?)";
        });
    expect(r.get<std::uint64_t>(), m.stp.size(), "the number of projections");
    std::vector<std::uint64_t> spikes_of(m.net.populations.size(), 0);
    for (auto& s : m.pending) ++spikes_of[s.pop];
    for (auto& s : m.pending)
        if (s.idx >= spikes_of[s.pop])
            throw CheckpointError("checkpoint: a spike in flight has a position out of range");
    for (std::size_t pi = 0; pi < m.stp.size(); ++pi) {
        r.get_vector(m.gain[pi], true);
        if (!m.gain[pi].empty())
            expect(m.gain[pi].size(), spikes_of[m.net.projections[pi].source],
                   "the number of spikes in flight of a projection's source");
        load_optional(r, "stp", m.stp[pi].get(), [&](bool has) {
            return "checkpoint: projection '" + m.net.projections[pi].name + "' has " + (has ? "" : "no ") +
                   "short-term plasticity in the checkpoint, but " + (has ? "none" : "some") +
                   " here (saved by another network?)";
        });
    }
    r.get(m.next_weight_sample);
    r.end();
    std::vector<Event> bin;
    std::vector<SavedRow> saved_rows;
    for (auto& g : m.groups) {
        r.begin("group");
        expect(r.get<std::uint32_t>(), g.pop, "a group's population");
        expect(r.get<std::uint32_t>(), g.first, "a group's first cell");
        expect(r.get<std::uint32_t>(), g.count, "a group's cell count");
        for (auto& b : g.bins) {
            r.get_vector(bin, true);
            for (auto& e : bin)
                if (e.cell >= g.count) throw CheckpointError("checkpoint: a queued event names a cell out of range");
            b.clear();
            if (!bin.empty()) std::memcpy(b.extend(bin.size()), bin.data(), bin.size() * sizeof(Event));
        }
        if ((r.get<std::uint8_t>() != 0) != g.takes_rows)
            throw CheckpointError("checkpoint: a group's synapses were queued as rows in one run and as events in "
                                  "the other (saved by another network or event-time mode?)");
        for (auto& rb : g.row_bins) {
            r.get_vector(saved_rows, true);
            rb.clear();
            for (const SavedRow& x : saved_rows) rb.push_back(load_row(g, x));
        }
        r.begin("cells");
        g.cells->load_state(r);
        r.end();
        expect(r.get<std::uint64_t>(), g.sources.size(), "the number of event stimuli of a group");
        for (auto& src : g.sources) {
            r.begin("stimulus");
            src->load_state(r);
            r.end();
        }
        expect(r.get<std::uint64_t>(), g.in.size(), "the number of projections onto a group");
        for (auto& b : g.in) load_projection_state(b, r);
        r.end();
    }
    r.end();
    m.step = step;
}

std::uint32_t resolved_group_size(const NetworkDesc& net, std::uint32_t requested) {
    if (requested > 0) return requested;
    return !net.projections.empty() ? 2048 : 512;
}

MemoryEstimate estimate_memory(const NetworkDesc& net, const Registry& registry, std::uint32_t group_size) {
    group_size = resolved_group_size(net, group_size);
    MemoryEstimate e;
    std::vector<std::uint64_t> n_groups;
    for (auto& pd : net.populations) {
        const ModelInfo* m = registry.model(pd.model);
        double per_cell = 64.0; // unknown model: a modest guess
        std::uint64_t groups = (pd.size + group_size - 1) / std::max<std::uint32_t>(group_size, 1);
        if (m) {
            if (m->whole_population) groups = 1;
            if (m->bytes_per_cell > 0) per_cell = m->bytes_per_cell;
            else {
                // State, the start-of-step copy some integrators keep, and scratch: about three
                // doubles per variable, plus bookkeeping.
                const std::size_t vars = m->multi_compartment() && !pd.compartments.empty()
                                             ? population_model(*m, pd).variables.size()
                                             : m->variables.size();
                per_cell = 24.0 * static_cast<double>(vars) + 32.0;
            }
        }
        e.cell_bytes += per_cell * static_cast<double>(pd.size);
        n_groups.push_back(groups);
    }
    for (auto& pr : net.projections) {
        if (pr.source >= net.populations.size() || pr.target >= net.populations.size()) continue;
        const auto& src = net.populations[pr.source];
        const auto& tgt = net.populations[pr.target];
        const ConnectCheck cc = connect_check(net, pr);
        const KindInfo* rule = registry.connectivity(pr.rule);
        const double n =
            rule && rule->expected_synapses ? rule->expected_synapses(cc) : double(src.size) * double(tgt.size);
        e.synapses += n;
        // Stored: target (2 bytes), plus a weight (4) and a delay (4) when they vary.
        const double per_synapse =
            2.0 + (pr.weight.is_constant() && pr.plasticity.empty() ? 0.0 : 4.0) + (pr.delay.is_constant() ? 0.0 : 4.0);
        e.synapse_bytes += n * per_synapse;
        // One row index (4 bytes) per source cell per target group.
        e.synapse_bytes += 4.0 * (double(src.size) + 1.0) * double(n_groups[pr.target]);
    }
    // The event rings (Impl::build: `ring`), from the bounds of the delays: the shortest sets
    // the epoch, the longest how far ahead events land. (A dt far below the delays makes
    // these the largest part: 1 ms delays at dt = 1e-9 ms need 10^9 queues per group.) A delay
    // unbounded above (a normal without max; a lognormal, which scenarios refuse for delays)
    // counts up to 8 sd above its mean (of the log).
    double min_delay = std::numeric_limits<double>::infinity(), max_delay = 0.0;
    for (auto& pr : net.projections) {
        const Distribution& d = pr.delay;
        const auto [lo, hi] = value_range(d);
        min_delay = std::min(min_delay, std::max(lo, net.dt));
        const double far = d.a + 8.0 * d.b;
        max_delay = std::max(max_delay, std::isfinite(hi)                         ? hi
                                        : d.kind == Distribution::Kind::lognormal ? std::exp(far)
                                                                                  : far);
    }
    if (net.dt > 0) {
        e.ring_steps = ring_steps_for(epoch_steps_for(min_delay, net.dt), max_delay, net.dt);
        double groups = 0;
        for (auto g : n_groups) groups += static_cast<double>(g);
        const bool rows = net.event_times == NetworkDesc::EventTimes::grid;
        e.event_queue_bytes =
            groups * e.ring_steps *
            static_cast<double>(sizeof(PodBuffer<Event>) + (rows ? sizeof(PodBuffer<SynapseRow>) : 0));
    }
    return e;
}

Simulation::Simulation(const NetworkDesc& net, const Registry& registry, SimulationOptions opt)
    : impl_(std::make_unique<Impl>(net, registry, opt)) {}
Simulation::~Simulation() = default;

double Simulation::run(double t_stop, RecordingSink& sink, const std::atomic<bool>* stop) {
    return impl_->run(t_stop, sink, stop);
}
void Simulation::finish(RecordingSink& sink) {
    if (impl_->finished) return;
    impl_->finished = true;
    for (std::uint32_t p = 0; p < impl_->classifiers.size(); ++p) {
        if (!impl_->classifiers[p]) continue;
        impl_->bursts_done.clear();
        impl_->classifiers[p]->finish(impl_->bursts_done);
        impl_->emit_bursts(p, impl_->rank == 0 ? sink : impl_->discard);
    }
}
double Simulation::time() const { return static_cast<double>(impl_->step) * impl_->net.dt; }
const NetworkStats& Simulation::stats() const { return impl_->stats; }
std::uint64_t Simulation::population_gid0(std::uint32_t p) const { return impl_->pop_gid0.at(p); }
int Simulation::threads() const { return impl_->n_threads; }
std::uint32_t Simulation::group_size() const { return impl_->group_size; }
std::uint32_t Simulation::cut_lanes() const { return impl_->cut_lanes; }
int Simulation::rank() const { return impl_->rank; }
int Simulation::ranks() const { return impl_->n_ranks; }
std::vector<std::uint64_t> Simulation::cells_per_rank() const {
    std::vector<std::uint64_t> out(static_cast<std::size_t>(impl_->n_ranks), 0);
    for (std::size_t i = 0; i < impl_->groups.size(); ++i)
        out[static_cast<std::size_t>(impl_->owner[i])] += impl_->groups[i].count;
    return out;
}
std::int64_t Simulation::epoch_steps() const { return impl_->epoch_steps; }

int available_threads() {
    const std::size_t n = tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism);
    return static_cast<int>(std::clamp<std::size_t>(n, 1, 65535));
}

int resolved_threads(const SimulationOptions& o) {
    const int most = available_threads();
    return o.threads > 0 ? std::min(o.threads, most) : most;
}

SynapseList Simulation::synapses(std::uint32_t projection) const {
    if (impl_->ex) return impl_->gather_synapses(projection, local_synapses(projection));
    return local_synapses(projection);
}

SynapseList Simulation::local_synapses(std::uint32_t projection) const {
    const Impl& m = *impl_;
    // The source of each row of the projection's sparse blocks, from the routing table.
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<std::uint32_t>> sparse_source;
    const std::uint32_t src_pop = m.net.projections.at(projection).source;
    if (!m.route_offset[src_pop].empty()) {
        const auto& off = m.route_offset[src_pop];
        for (std::uint32_t s = 0; s + 1 < off.size(); ++s)
            for (std::uint64_t k = off[s]; k < off[s + 1]; ++k) {
                const auto& r = m.route[src_pop][k];
                const auto [gi, bi] = m.sparse_blocks[r.block];
                const InBlock& b = m.groups[gi].in[bi];
                if (b.projection != projection) continue;
                auto& v = sparse_source[{gi, bi}];
                if (v.empty()) v.resize(b.row.size() - 1);
                v[r.row] = s;
            }
    }
    SynapseList out;
    for (std::uint32_t gi = 0; gi < m.groups.size(); ++gi)
        for (std::uint32_t bi = 0; bi < m.groups[gi].in.size(); ++bi) {
            const Group& g = m.groups[gi];
            const InBlock& b = g.in[bi];
            if (b.projection != projection) continue;
            if (b.sparse && b.row.size() < 2) continue; // no synapses
            const std::vector<std::uint32_t>* src = b.sparse ? &sparse_source.at({gi, bi}) : nullptr;
            for (std::size_t i = 0; i + 1 < b.row.size(); ++i)
                for (std::uint32_t k = b.row[i]; k < b.row[i + 1]; ++k) {
                    out.source.push_back(src ? (*src)[i] : static_cast<std::uint32_t>(i));
                    out.target.push_back(g.first + b.target[k]);
                    out.weight.push_back(b.weight_of(k));
                    out.delay.push_back(b.delay.empty() ? static_cast<float>(b.const_delay) : b.delay[k]);
                }
        }
    return out;
}

std::vector<ProbeLayout> Simulation::probe_layouts() const {
    std::vector<ProbeLayout> out;
    for (std::uint32_t pi = 0; pi < impl_->net.probes.size(); ++pi) {
        const auto& pd = impl_->net.probes[pi];
        const ModelInfo& m = *impl_->models[pd.population];
        ProbeLayout l;
        l.name = pd.name;
        l.population = pd.population;
        l.cells = pd.cells;
        for (int v : pd.variables) {
            l.variables.push_back(m.variables.at(static_cast<std::size_t>(v)).name);
            l.units.emplace_back(canonical_unit(m.variables.at(static_cast<std::size_t>(v)).dim));
        }
        // The first sample from now on (0 for a new run; later for one restarted from a checkpoint).
        const std::int64_t stride = impl_->probe_stride[pi];
        l.start = static_cast<double>((impl_->step + stride - 1) / stride * stride) * impl_->net.dt;
        l.interval = static_cast<double>(stride) * impl_->net.dt;
        out.push_back(std::move(l));
    }
    return out;
}

} // namespace apical
