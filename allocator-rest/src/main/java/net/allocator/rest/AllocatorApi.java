package net.allocator.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import net.allocator.core.AddressPage;
import net.allocator.core.AddressQuery;
import net.allocator.core.AddressState;
import net.allocator.core.AddressStatus;
import net.allocator.core.IpAddresses;
import net.allocator.core.Network;
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

    AllocatorApi(AllocatorService service, ObjectMapper mapper, int pageLimit, String version) {
        this.service = service;
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
                .delete("/v1/networks/{network}", this::removeNetwork)
                .get("/v1/networks/{network}/addresses", this::listAddresses)
                .get("/v1/networks/{network}/addresses/{address}", this::showAddress)
                .put("/v1/networks/{network}/addresses/{address}", this::updateAddress)
                .build();
    }

    private Response health(Request request) {
        ObjectNode body = mapper.createObjectNode();
        try {
            service.health().check();
        } catch (StoreUnavailableException e) {
            body.put("status", "down");
            body.put("store", service.store());
            body.put("version", version);
            body.put("message", e.getMessage());
            return Response.of(503, body).withHeader("Retry-After", "1");
        }
        body.put("status", "up");
        body.put("store", service.store());
        body.put("version", version);
        return Response.ok(body);
    }

    private Response listNetworks(Request request) {
        ObjectNode body = mapper.createObjectNode();
        service.networks().list().forEach(body::put);
        return Response.ok(body);
    }

    private Response registerNetwork(Request request) throws IOException {
        Fields fields = Fields.read(request, mapper);
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
        return Response.of(201, networkJson(stored)).withHeader("Location", "/v1/networks/" + stored.name());
    }

    private Response showNetwork(Request request) {
        return Response.ok(networkJson(network(request)));
    }

    private Response allocate(Request request) throws IOException {
        String name = Network.checkName(request.parameter("network"));
        Owner owner = owner(Fields.read(request, mapper));
        AddressState state = service.addresses().allocate(name, owner);
        ObjectNode body = mapper.createObjectNode();
        body.put("address", IpAddresses.format(state.address()));
        return Response.ok(body);
    }

    private Response removeNetwork(Request request) {
        String name = Network.checkName(request.parameter("network"));
        service.networks().remove(name, request.flag("force"));
        ObjectNode body = mapper.createObjectNode();
        body.put("name", name);
        body.put("deleted", true);
        return Response.ok(body);
    }

    private Response listAddresses(Request request) {
        boolean free = request.flag("free");
        boolean used = request.flag("used");
        boolean full = request.flag("full");
        int limit = request.queryValue("limit").map(AllocatorApi::limit).orElse(pageLimit);
        Optional<String> afterText = request.queryValue("after");
        Network network = network(request);
        Optional<InetAddress> after = afterText.map(text -> {
            InetAddress address = IpAddresses.parse(text, "after");
            if (IpAddresses.isIpv6(address) != network.ipv6()) {
                throw HttpError.badRequest("after " + IpAddresses.format(address) + " is not of the network's family ("
                        + (network.ipv6() ? "IPv6" : "IPv4") + ")");
            }
            return address;
        });
        Optional<AddressStatus> status = free == used ? Optional.empty()
                : Optional.of(free ? AddressStatus.FREE : AddressStatus.USED);
        AddressPage page = service.addresses().list(network.name(), new AddressQuery(status, after, limit));

        ObjectNode body = mapper.createObjectNode();
        ArrayNode addresses = body.putArray("addresses");
        for (AddressState state : page.addresses()) {
            if (full) {
                addresses.add(addressJson(state));
            } else {
                addresses.add(IpAddresses.format(state.address()));
            }
        }
        if (full) {
            body.put("number", page.addresses().size());
        }
        page.next().ifPresent(next -> body.put("next", IpAddresses.format(next)));
        return Response.ok(body);
    }

    private Response showAddress(Request request) {
        Network network = network(request);
        InetAddress address = addressIn(network, request.parameter("address"));
        return Response.ok(addressJson(service.addresses().show(network.name(), address)));
    }

    /**
     * Manual mode: {@code status: used} claims the address for the owner; {@code status: free}
     * releases it, from whoever holds it when the owner is {@code _} or absent, and only from
     * that owner otherwise.
     */
    private Response updateAddress(Request request) throws IOException {
        String name = Network.checkName(request.parameter("network"));
        String addressText = request.parameter("address");
        InetAddress address = IpAddresses.parse(addressText, "address");
        Fields fields = Fields.read(request, mapper);
        String status = fields.string("status")
                .orElseThrow(() -> HttpError.badRequest("status is missing; give used or free"))
                .strip().toLowerCase(Locale.ROOT);
        Optional<String> cluster = fields.string("cluster");
        Optional<String> node = fields.string("node");
        switch (status) {
            case "used" -> {
                Owner owner = owner(cluster, node);
                Network network = network(name);
                requireInside(network, address);
                return Response.ok(addressJson(service.addresses().claim(name, address, owner)));
            }
            case "free" -> {
                boolean anyCluster = cluster.map(ANY_OWNER::equals).orElse(true);
                boolean anyNode = node.map(ANY_OWNER::equals).orElse(true);
                if (anyCluster != anyNode) {
                    throw HttpError.badRequest("give both cluster and node to release only from that owner, "
                            + "or neither (or \"_\" for both) to release from whoever holds the address");
                }
                Optional<Owner> expected = anyCluster ? Optional.empty() : Optional.of(new Owner(cluster.get(), node.get()));
                Network network = network(name);
                requireInside(network, address);
                if (expected.isPresent()) {
                    service.addresses().release(name, address, expected.get());
                } else {
                    service.addresses().release(name, address);
                }
                return Response.ok(addressJson(AddressState.free(address)));
            }
            default -> throw HttpError.badRequest("status must be used or free, not " + Messages.quote(status));
        }
    }

    private Network network(Request request) {
        return network(Network.checkName(request.parameter("network")));
    }

    private Network network(String name) {
        return service.networks().find(Network.checkName(name))
                .orElseThrow(() -> HttpError.notFound("network " + Messages.quote(name) + " is not registered"));
    }

    private static InetAddress addressIn(Network network, String text) {
        InetAddress address = IpAddresses.parse(text, "address");
        requireInside(network, address);
        return address;
    }

    private static void requireInside(Network network, InetAddress address) {
        if (!network.encloses(address)) {
            throw HttpError.badRequest("address " + IpAddresses.format(address) + " is outside the network "
                    + network.name() + " (" + IpAddresses.format(network.address()) + "/" + network.prefixLength() + ")");
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
    private ObjectNode networkJson(Network network) {
        ObjectNode body = mapper.createObjectNode();
        body.put("name", network.name());
        body.put("description", network.description());
        body.put("bridge", network.bridge());
        body.put("network", IpAddresses.format(network.address()));
        body.put("netmask", network.netmask());
        if (network.gateway().isPresent()) {
            body.put("gateway", IpAddresses.format(network.gateway().get()));
        } else {
            body.putNull("gateway");
        }
        ArrayNode pool = body.putArray("pool");
        network.pool().toSpecs().forEach(pool::add);
        BigInteger size = network.pool().size();
        body.put("size", size);
        return body;
    }

    /** One address as the original service's {@code ?full} listing showed it, plus when it was claimed. */
    private ObjectNode addressJson(AddressState state) {
        ObjectNode body = mapper.createObjectNode();
        body.put("address", IpAddresses.format(state.address()));
        if (state.owner().isPresent()) {
            body.put("clustername", state.owner().get().cluster());
            body.put("node", state.owner().get().node());
        } else {
            body.putNull("clustername");
            body.putNull("node");
        }
        body.put("status", state.status().label());
        state.claimedAt().ifPresent(at -> body.put("claimed_at", at.toString()));
        return body;
    }
}
