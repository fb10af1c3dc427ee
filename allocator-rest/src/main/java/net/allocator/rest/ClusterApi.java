package net.allocator.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import net.allocator.core.AddressState;
import net.allocator.core.Holding;
import net.allocator.core.Network;
import net.allocator.core.NetworkChange;
import net.allocator.core.NetworkUsage;

/**
 * The handlers of the whole-cluster routes that {@link AllocatorApi#routes()} lists: bulk
 * allocation, what a cluster holds, teardown, usage and changing a network in place. Each only
 * translates between HTTP and the library; core decides.
 */
final class ClusterApi {
    private final AllocatorService service;
    private final ObjectMapper mapper;

    ClusterApi(AllocatorService service, ObjectMapper mapper) {
        this.service = service;
        this.mapper = mapper;
    }

    /** {@code POST /v1/networks/<network>} with {@code nodes} (or a form's repeated {@code node}). */
    Response allocateAll(String network, String cluster, List<String> nodes) {
        Map<String, AddressState> held = service.addresses().allocateAll(network, cluster, nodes);
        return Response.ok(json -> {
            json.writeStartObject();
            json.writeObjectFieldStart("addresses");
            for (Map.Entry<String, AddressState> node : held.entrySet()) {
                json.writeFieldName(node.getKey());
                AllocatorApi.writeAddress(json, node.getValue().address());
            }
            json.writeEndObject();
            json.writeEndObject();
        });
    }

    /** {@code GET /v1/clusters/<cluster>}. */
    Response showCluster(Request request) {
        request.acceptOnlyQuery();
        String cluster = request.parameter("cluster");
        List<Holding> held = service.addresses().holdings(cluster);
        return Response.ok(json -> {
            json.writeStartObject();
            json.writeStringField("cluster", cluster);
            json.writeArrayFieldStart("addresses");
            for (Holding holding : held) {
                writeHolding(json, holding.network(), holding.state(), true);
            }
            json.writeEndArray();
            json.writeNumberField("number", held.size());
            json.writeEndObject();
        });
    }

    /** {@code DELETE /v1/clusters/<cluster>}. */
    Response releaseCluster(Request request) {
        request.acceptOnlyQuery();
        String cluster = request.parameter("cluster");
        List<Holding> released = service.addresses().releaseCluster(cluster);
        return Response.ok(json -> writeReleased(json, cluster, released));
    }

    /** {@code DELETE /v1/networks/<network>/clusters/<cluster>}. */
    Response releaseClusterIn(Request request) {
        request.acceptOnlyQuery();
        String network = Network.checkName(request.parameter("network"));
        String cluster = request.parameter("cluster");
        List<Holding> released = service.addresses().releaseCluster(network, cluster).stream()
                .map(state -> new Holding(network, state)).toList();
        return Response.ok(json -> writeReleased(json, cluster, released));
    }

    /** {@code GET /v1/networks/<network>/usage}. */
    Response usage(Request request) {
        request.acceptOnlyQuery();
        NetworkUsage usage = service.networks().usage(Network.checkName(request.parameter("network")));
        return Response.ok(json -> {
            json.writeStartObject();
            json.writeStringField("network", usage.network());
            writeCounts(json, usage);
            json.writeEndObject();
        });
    }

    /** {@code GET /v1/networks?usage}. */
    Response usageOfAll() {
        SortedMap<String, NetworkUsage> usages = service.networks().usageOfAll();
        return Response.ok(json -> {
            json.writeStartObject();
            for (NetworkUsage usage : usages.values()) {
                json.writeObjectFieldStart(usage.network());
                writeCounts(json, usage);
                json.writeEndObject();
            }
            json.writeEndObject();
        });
    }

    /** {@code PATCH /v1/networks/<network>}: any of description, bridge, gateway, addresses. */
    Response changeNetwork(Request request) throws IOException {
        request.acceptOnlyQuery();
        String name = Network.checkName(request.parameter("network"));
        Fields fields = Fields.read(request, mapper);
        for (String fixed : List.of("name", "network", "netmask")) {
            if (fields.names().contains(fixed)) {
                throw HttpError.badRequest(fixed + " cannot change; a network keeps its name, network and netmask "
                        + "(change description, bridge, gateway or addresses)");
            }
        }
        fields.acceptOnly("description", "bridge", "gateway", "addresses");
        if (fields.names().isEmpty()) {
            throw HttpError.badRequest("nothing to change; give any of description, bridge, gateway, addresses");
        }
        NetworkChange change = new NetworkChange(fields.string("description"), fields.string("bridge"),
                fields.string("gateway"), fields.strings("addresses"));
        Network changed = service.networks().update(name, change);
        return Response.ok(json -> AllocatorApi.writeNetwork(json, changed));
    }

    /** What a cluster holds, filtered to one network (and one node): for the address listing. */
    static void writeHoldings(JsonGenerator json, List<AddressState> held, boolean full) throws IOException {
        json.writeStartObject();
        json.writeArrayFieldStart("addresses");
        for (AddressState state : held) {
            if (full) {
                AllocatorApi.writeAddressState(json, state);
            } else {
                AllocatorApi.writeAddress(json, state.address());
            }
        }
        json.writeEndArray();
        if (full) {
            json.writeNumberField("number", held.size());
        }
        json.writeEndObject();
    }

    private static void writeReleased(JsonGenerator json, String cluster, List<Holding> released) throws IOException {
        json.writeStartObject();
        json.writeStringField("cluster", cluster);
        json.writeArrayFieldStart("released");
        for (Holding holding : released) {
            writeHolding(json, holding.network(), holding.state(), false);
        }
        json.writeEndArray();
        json.writeNumberField("number", released.size());
        json.writeEndObject();
    }

    private static void writeHolding(JsonGenerator json, String network, AddressState state, boolean withTime) throws IOException {
        json.writeStartObject();
        json.writeStringField("network", network);
        json.writeFieldName("address");
        AllocatorApi.writeAddress(json, state.address());
        json.writeStringField("node", state.owner().orElseThrow().node());
        if (withTime && state.claimedAt().isPresent()) {
            json.writeStringField("claimed_at", state.claimedAt().get().toString());
        }
        json.writeEndObject();
    }

    /** Size, used and free as JSON numbers, exact at any size (an IPv6 /64 has 2^64 addresses). */
    private static void writeCounts(JsonGenerator json, NetworkUsage usage) throws IOException {
        json.writeFieldName("size");
        json.writeNumber(usage.size());
        json.writeFieldName("used");
        json.writeNumber(usage.used());
        json.writeFieldName("free");
        json.writeNumber(usage.free());
    }
}
