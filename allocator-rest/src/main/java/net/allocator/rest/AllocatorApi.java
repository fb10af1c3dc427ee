package net.allocator.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import net.allocator.core.AddressPage;
import net.allocator.core.AddressQuery;
import net.allocator.core.AddressState;
import net.allocator.core.AddressStatus;
import net.allocator.core.InvalidInputException;
import net.allocator.core.IpAddresses;
import net.allocator.core.Network;
import net.allocator.core.NetworkNotFoundException;
import net.allocator.core.Owner;
import net.allocator.core.StoreUnavailableException;

/**
 * The API of the original network allocation service, plus paging, health and deletion: the
 * route table ({@link #routes()}) and its handlers. Handlers validate all input before they touch
 * the store, and throw on any problem; {@link ErrorMapper} turns the exception into the answer.
 */
final class AllocatorApi {
    /** Stands for "whoever holds it" in a release, as in the original service. */
    private static final String ANY_OWNER = "_";

    private final AllocatorService service;
    private final ObjectMapper mapper;
    private final int pageLimit;
    private final String version;
    private final ClusterApi clusters;

    AllocatorApi(AllocatorService service, ObjectMapper mapper, int pageLimit, String version) {
        this.service = service;
        this.clusters = new ClusterApi(service, mapper);
        this.mapper = mapper;
        this.pageLimit = pageLimit;
        this.version = version;
    }

    /** The whole API. */
    Router routes() {
        return Router.builder()
                .get("/v1/health", this::health)
                .get("/v1/networks", this::listNetworks)
                .post("/v1/networks", this::registerNetwork)
                .get("/v1/networks/{network}", this::showNetwork)
                .post("/v1/networks/{network}", this::allocate)
                .route("PATCH", "/v1/networks/{network}", clusters::changeNetwork)
                .delete("/v1/networks/{network}", this::removeNetwork)
                .get("/v1/networks/{network}/usage", clusters::usage)
                .get("/v1/networks/{network}/addresses", this::listAddresses)
                .get("/v1/networks/{network}/addresses/{address}", this::showAddress)
                .put("/v1/networks/{network}/addresses/{address}", this::updateAddress)
                .delete("/v1/networks/{network}/clusters/{cluster}", clusters::releaseClusterIn)
                .get("/v1/clusters/{cluster}", clusters::showCluster)
                .delete("/v1/clusters/{cluster}", clusters::releaseCluster)
                .build();
    }

    private Response health(Request request) {
        request.acceptOnlyQuery();
        String store = service.store();
        try {
            service.health().check();
        } catch (StoreUnavailableException e) {
            String message = e.getMessage();
            return Response.of(503, json -> {
                json.writeStartObject();
                json.writeStringField("status", "down");
                json.writeStringField("store", store);
                json.writeStringField("version", version);
                json.writeStringField("message", message);
                json.writeEndObject();
            }).withHeader("Retry-After", "1");
        }
        return Response.ok(json -> {
            json.writeStartObject();
            json.writeStringField("status", "up");
            json.writeStringField("store", store);
            json.writeStringField("version", version);
            json.writeEndObject();
        });
    }

    private Response listNetworks(Request request) {
        request.acceptOnlyQuery("usage");
        if (request.flag("usage")) {
            return clusters.usageOfAll();
        }
        SortedMap<String, String> networks = service.networks().list();
        return Response.ok(json -> {
            json.writeStartObject();
            for (Map.Entry<String, String> network : networks.entrySet()) {
                json.writeStringField(network.getKey(), network.getValue());
            }
            json.writeEndObject();
        });
    }

    private Response registerNetwork(Request request) throws IOException {
        request.acceptOnlyQuery();
        Fields fields = Fields.read(request, mapper)
                .acceptOnly("name", "description", "bridge", "network", "netmask", "gateway", "addresses");
        Network network = Network.builder()
                .name(fields.string("name").orElse(null))
                .description(fields.string("description").orElse(""))
                .bridge(fields.string("bridge").orElse(""))
                .network(fields.string("network").orElse(null))
                .netmask(fields.stringOrInteger("netmask").orElse(null))
                .gateway(fields.string("gateway").orElse(null))
                .addresses(fields.strings("addresses").orElse(List.of()))
                .build();
        Network stored = service.networks().register(network);
        return Response.of(201, json -> writeNetwork(json, stored)).withHeader("Location", "/v1/networks/" + stored.name());
    }

    private Response showNetwork(Request request) {
        request.acceptOnlyQuery();
        Network network = network(request);
        return Response.ok(json -> writeNetwork(json, network));
    }

    /**
     * One node ({@code cluster}, {@code node}) answers {@code {"address": …}}; several ({@code
     * nodes}, or a form's {@code node} repeated) answer {@code {"addresses": {node: address}}}.
     */
    private Response allocate(Request request) throws IOException {
        request.acceptOnlyQuery();
        String name = Network.checkName(request.parameter("network"));
        Fields fields = Fields.read(request, mapper).acceptOnly("cluster", "node", "nodes");
        Optional<List<String>> nodes = fields.list("nodes");
        List<String> repeatedNode = fields.list("node").orElse(List.of());
        if (nodes.isPresent() && !repeatedNode.isEmpty()) {
            throw HttpError.badRequest("give node for one node or nodes for several, not both");
        }
        if (nodes.isPresent() || repeatedNode.size() > 1) {
            String cluster = fields.string("cluster").orElse(null);
            owner(Optional.ofNullable(cluster), Optional.of("-")); // the "_" check, as for one node
            return clusters.allocateAll(name, cluster, nodes.orElse(repeatedNode));
        }
        Owner owner = owner(fields);
        InetAddress address = service.addresses().allocate(name, owner).address();
        return Response.ok(json -> {
            json.writeStartObject();
            json.writeFieldName("address");
            writeAddress(json, address);
            json.writeEndObject();
        });
    }

    private Response removeNetwork(Request request) {
        request.acceptOnlyQuery("force");
        String name = Network.checkName(request.parameter("network"));
        service.networks().remove(name, request.flag("force"));
        return Response.ok(json -> {
            json.writeStartObject();
            json.writeStringField("name", name);
            json.writeBooleanField("deleted", true);
            json.writeEndObject();
        });
    }

    private Response listAddresses(Request request) {
        request.acceptOnlyQuery("free", "used", "full", "limit", "after", "cluster", "node");
        if (request.queryValue("cluster").isPresent() || request.queryValue("node").isPresent()) {
            return listHoldings(request);
        }
        boolean free = request.flag("free");
        boolean used = request.flag("used");
        boolean full = request.flag("full");
        int limit = request.queryValue("limit").map(AllocatorApi::limit).orElse(pageLimit);
        String name = Network.checkName(request.parameter("network"));
        Optional<InetAddress> after = request.queryValue("after").map(text -> parseAddress(name, text, "after"));
        Optional<AddressStatus> status = free == used ? Optional.empty()
                : Optional.of(free ? AddressStatus.FREE : AddressStatus.USED);
        AddressPage page = service.addresses().list(name, new AddressQuery(status, after, limit));

        return Response.ok(json -> {
            json.writeStartObject();
            json.writeArrayFieldStart("addresses");
            for (AddressState state : page.addresses()) {
                if (full) {
                    writeAddressState(json, state);
                } else {
                    writeAddress(json, state.address());
                }
            }
            json.writeEndArray();
            if (full) {
                json.writeNumberField("number", page.addresses().size());
            }
            if (page.next().isPresent()) {
                json.writeFieldName("next");
                writeAddress(json, page.next().get());
            }
            json.writeEndObject();
        });
    }

    /**
     * {@code ?cluster=c} (and {@code &node=n}): the cluster's addresses in the network, from the
     * owner index, in one answer: a cluster's addresses are few, so neither pages nor free
     * addresses apply.
     */
    private Response listHoldings(Request request) {
        String cluster = request.queryValue("cluster")
                .orElseThrow(() -> HttpError.badRequest("node filters within a cluster; give cluster too"));
        if (request.flag("free") || request.queryValue("limit").isPresent() || request.queryValue("after").isPresent()) {
            throw HttpError.badRequest("cluster lists the cluster's used addresses in one answer; "
                    + "it cannot be combined with free, limit or after");
        }
        boolean full = request.flag("full");
        request.flag("used");
        String name = Network.checkName(request.parameter("network"));
        Optional<String> node = request.queryValue("node");
        List<AddressState> held = service.addresses().holdings(name, cluster).stream()
                .filter(state -> node.map(state.owner().orElseThrow().node()::equals).orElse(true)).toList();
        return Response.ok(json -> ClusterApi.writeHoldings(json, held, full));
    }

    private Response showAddress(Request request) {
        request.acceptOnlyQuery();
        String name = Network.checkName(request.parameter("network"));
        InetAddress address = parseAddress(name, request.parameter("address"), "address");
        AddressState state = service.addresses().show(name, address);
        return Response.ok(json -> writeAddressState(json, state));
    }

    /**
     * Manual mode: {@code status: used} claims the address for the owner; {@code status: free}
     * releases it, from whoever holds it when the owner is {@code _} or absent, and only from
     * that owner otherwise.
     */
    private Response updateAddress(Request request) throws IOException {
        request.acceptOnlyQuery();
        String name = Network.checkName(request.parameter("network"));
        String addressText = request.parameter("address");
        InetAddress address = IpAddresses.parse(addressText, "address");
        Fields fields = Fields.read(request, mapper).acceptOnly("status", "cluster", "node");
        String status = fields.string("status")
                .orElseThrow(() -> HttpError.badRequest("status is missing; give used or free"))
                .strip().toLowerCase(Locale.ROOT);
        Optional<String> cluster = fields.string("cluster");
        Optional<String> node = fields.string("node");
        switch (status) {
            case "used" -> {
                Owner owner = owner(cluster, node);
                AddressState claimed = service.addresses().claim(name, address, owner);
                return Response.ok(json -> writeAddressState(json, claimed));
            }
            case "free" -> {
                boolean anyCluster = cluster.map(ANY_OWNER::equals).orElse(true);
                boolean anyNode = node.map(ANY_OWNER::equals).orElse(true);
                if (anyCluster != anyNode) {
                    throw HttpError.badRequest("give both cluster and node to release only from that owner, "
                            + "or neither (or \"_\" for both) to release from whoever holds the address");
                }
                Optional<Owner> expected = anyCluster ? Optional.empty() : Optional.of(new Owner(cluster.get(), node.get()));
                AddressState freed = expected.isPresent()
                        ? service.addresses().release(name, address, expected.get())
                        : service.addresses().release(name, address);
                return Response.ok(json -> writeAddressState(json, freed));
            }
            default -> throw HttpError.badRequest("status must be used or free, not " + Messages.quote(status));
        }
    }

    private Network network(Request request) {
        String name = Network.checkName(request.parameter("network"));
        return service.networks().find(name).orElseThrow(() -> NetworkNotFoundException.notRegistered(name));
    }

    /**
     * An address a client sent for a network. Core checks the network, and the address against
     * it; only when the text is no address at all is the network read here, so that a missing
     * network still answers 404 before a malformed address answers 400, as it always has.
     */
    private InetAddress parseAddress(String network, String text, String what) {
        try {
            return IpAddresses.parse(text, what);
        } catch (InvalidInputException malformed) {
            if (service.networks().find(network).isEmpty()) {
                throw NetworkNotFoundException.notRegistered(network);
            }
            throw malformed;
        }
    }

    private static Owner owner(Fields fields) {
        return owner(fields.string("cluster"), fields.string("node"));
    }

    private static Owner owner(Optional<String> cluster, Optional<String> node) {
        if (cluster.map(ANY_OWNER::equals).orElse(false) || node.map(ANY_OWNER::equals).orElse(false)) {
            throw HttpError.badRequest("\"_\" stands for any owner when an address is freed, and cannot hold an address");
        }
        return new Owner(cluster.orElse(null), node.orElse(null));
    }

    private static int limit(String text) {
        String digits = text.strip();
        if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw HttpError.badRequest("limit must be a whole number between 1 and " + AddressQuery.MAX_LIMIT
                    + ", not " + Messages.quote(text));
        }
        int limit = Integer.parseInt(digits);
        if (limit < 1 || limit > AddressQuery.MAX_LIMIT) {
            throw HttpError.badRequest("limit must be between 1 and " + AddressQuery.MAX_LIMIT + ", not " + limit);
        }
        return limit;
    }

    /** A network as the original service showed it, plus its pool and the pool's size. */
    static void writeNetwork(JsonGenerator json, Network network) throws IOException {
        json.writeStartObject();
        json.writeStringField("name", network.name());
        json.writeStringField("description", network.description());
        json.writeStringField("bridge", network.bridge());
        json.writeFieldName("network");
        writeAddress(json, network.address());
        json.writeStringField("netmask", network.netmask());
        json.writeFieldName("gateway");
        if (network.gateway().isPresent()) {
            writeAddress(json, network.gateway().get());
        } else {
            json.writeNull();
        }
        json.writeArrayFieldStart("pool");
        for (String spec : network.pool().toSpecs()) {
            json.writeString(spec);
        }
        json.writeEndArray();
        json.writeFieldName("size");
        json.writeNumber(network.pool().size());
        json.writeEndObject();
    }

    /** One address as the original service's {@code ?full} listing showed it, plus when it was claimed. */
    static void writeAddressState(JsonGenerator json, AddressState state) throws IOException {
        json.writeStartObject();
        json.writeFieldName("address");
        writeAddress(json, state.address());
        if (state.owner().isPresent()) {
            json.writeStringField("clustername", state.owner().get().cluster());
            json.writeStringField("node", state.owner().get().node());
        } else {
            json.writeNullField("clustername");
            json.writeNullField("node");
        }
        json.writeStringField("status", state.status().label());
        if (state.claimedAt().isPresent()) {
            json.writeStringField("claimed_at", state.claimedAt().get().toString());
        }
        json.writeEndObject();
    }

    /**
     * An address as a JSON string in canonical form ({@link IpAddresses#format}); IPv4 addresses,
     * which listings hold by the hundred, are written from their bytes without a String.
     */
    static void writeAddress(JsonGenerator json, InetAddress address) throws IOException {
        if (!(address instanceof Inet4Address)) {
            json.writeString(IpAddresses.format(address));
            return;
        }
        char[] text = new char[15];
        json.writeString(text, 0, IpAddresses.formatIpv4(address.getAddress(), text, 0));
    }
}
