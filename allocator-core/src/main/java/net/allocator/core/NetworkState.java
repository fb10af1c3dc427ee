package net.allocator.core;

import java.math.BigInteger;
import net.allocator.core.store.ChangeListener;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.ScanPage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one allocator knows of one network: its definition at a version, its keys, the candidate
 * view of its used addresses and the claims made here lately, kept current by following the
 * store's change feed of the network's addresses. Thread-safe.
 *
 * <p>Immutable in its definition: when the stored network changes, the {@link NetworkCache}
 * drops this state and loads a new one.
 */
final class NetworkState {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkState.class);

    private final KeyValueStore store;
    private final Network network;
    private final long version;
    private final KeyLayout.NetworkKeys keys;
    /**
     * Every claim and release is conditioned on it, so it is made once: made per call, an
     * in-memory allocate+release allocated 992 bytes rather than 936 (JMH {@code -prof gc}).
     */
    private final Condition unchanged;
    private final CandidateView view;
    private final RecentClaims recentClaims = new RecentClaims();
    private final Object loading = new Object();
    private volatile boolean stale;
    private volatile RuntimeException lastReloadFailure;
    private volatile long lastReloadFailureAt;
    private volatile int generation;
    private volatile AutoCloseable watch;

    NetworkState(KeyValueStore store, KeyLayout.NetworkKeys keys, Network network, long version) {
        this.store = store;
        this.network = network;
        this.version = version;
        this.keys = keys;
        this.unchanged = Condition.atVersion(keys.network(), version);
        this.view = new CandidateView(network.pool());
    }

    Network network() {
        return network;
    }

    /** The condition that the network is still stored at the version this state describes. */
    Condition unchanged() {
        return unchanged;
    }

    KeyLayout.NetworkKeys keys() {
        return keys;
    }

    CandidateView view() {
        return view;
    }

    RecentClaims recentClaims() {
        return recentClaims;
    }

    /**
     * Whether the store still holds the network at the version this state describes: one
     * linearizable read, made only when a release has to find out why the store refused it or
     * read its address free (a forced removal elsewhere deletes the network's address keys too).
     */
    boolean isStillStored() {
        return store.get(keys.network()).map(KeyValue::version).filter(stored -> stored == version).isPresent();
    }

    /** Reloads the view when the change feed was lost, unless a reload that began after the call just failed. */
    void reloadIfStale() {
        if (!stale) {
            return;
        }
        long asked = System.nanoTime();
        synchronized (loading) {
            if (!stale) {
                return; // another thread reloaded while this one waited
            }
            RuntimeException failed = lastReloadFailure;
            if (failed != null && lastReloadFailureAt - asked > 0) {
                // a reload that began after this thread asked has just failed: repeating it
                // would only queue this caller behind another store timeout
                throw new StoreUnavailableException(failed.getMessage(), failed);
            }
            try {
                reload();
                lastReloadFailure = null;
            } catch (RuntimeException e) {
                lastReloadFailure = e;
                lastReloadFailureAt = System.nanoTime();
                throw e;
            }
        }
    }

    /**
     * Whether the claim may be deleted at its version without reading it first: the store told
     * the version, and a live change feed would have made this state forget the claim once the
     * address changed elsewhere.
     */
    boolean canDeleteWithoutReading(RecentClaims.Claim claim) {
        return claim.version() != KeyValueStore.VERSION_UNKNOWN && watch != null && !stale;
    }

    /** Reads every used address of the network, then follows changes from there. */
    void reload() {
        synchronized (loading) {
            stopWatching();
            recentClaims.clear(); // changes the feed missed may have made them stale
            String prefix = keys.addresses();
            CandidateView loaded = new CandidateView(network.pool());
            String after = null;
            long revision = -1;
            ScanPage page;
            do {
                page = store.scan(prefix, after, store.preferredScanLimit());
                if (revision < 0) {
                    revision = page.revision();
                }
                for (KeyValue kv : page.entries()) {
                    BigInteger number = numberOf(kv.key(), prefix);
                    if (number != null) {
                        loaded.markUsed(number);
                    }
                    after = kv.key();
                }
            } while (page.more() && !page.entries().isEmpty());
            view.replaceUsed(loaded);
            // After the view is replaced: a commit of this allocator's marked in the old view
            // only must not be skipped by the new feed.
            recentClaims.forgetOwnCommits();
            stale = false;
            int current = ++generation;
            watch = store.watch(prefix, revision, new Follower(prefix, current)).orElse(null);
        }
    }

    void stopWatching() {
        synchronized (loading) {
            generation++;
            if (watch != null) {
                try {
                    watch.close();
                } catch (Exception e) {
                    LOG.debug("closing the change feed of {}", network.name(), e);
                }
                watch = null;
            }
        }
    }

    /** The address of an address key under {@code prefix}, or null for any other key. */
    private BigInteger numberOf(String key, String prefix) {
        int width = network.ipv6() ? 32 : 8;
        if (key.length() - prefix.length() != width) {
            return null;
        }
        try {
            // on every change the feed delivers: IPv4 without BigInteger's string parser
            BigInteger number = network.ipv6()
                    ? new BigInteger(key.substring(prefix.length()), 16)
                    : BigInteger.valueOf(Long.parseLong(key, prefix.length(), key.length(), 16));
            return number.signum() < 0 ? null : number; // a stray "-…" key
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Applies a change feed to the view while its generation is current. */
    private final class Follower implements ChangeListener {
        private final String prefix;
        private final int generationFollowed;

        Follower(String prefix, int generationFollowed) {
            this.prefix = prefix;
            this.generationFollowed = generationFollowed;
        }

        @Override
        public void onPut(String key, String value, long revision) {
            BigInteger number = numberOf(key, revision);
            if (number != null) {
                view.markUsed(number);
                recentClaims.changedElsewhere(number, revision);
            }
        }

        @Override
        public void onDelete(String key, long revision) {
            BigInteger number = numberOf(key, revision);
            if (number != null) {
                view.markFree(number);
                recentClaims.changedElsewhere(number, revision);
            }
        }

        /** The address a change of someone else's is about, or null for a change to pass over. */
        private BigInteger numberOf(String key, long revision) {
            if (generationFollowed != generation) {
                return null; // a feed that a reload has replaced
            }
            if (recentClaims.isOwnCommit(revision)) {
                // This allocator's own commit: its committer marks the view once the store
                // answers, so following it too would only take the view's lock against the
                // allocating threads and parse the key, on the store's feed thread (in-memory
                // allocate+release: 140-180 bytes a pair fewer, JMH -prof gc; docs/benchmarks.md).
                return null;
            }
            return key.startsWith(prefix) ? NetworkState.this.numberOf(key, prefix) : null;
        }

        @Override
        public boolean wantsValues() {
            return false; // the view only tracks which addresses are used
        }

        @Override
        public void onReset(Throwable cause) {
            LOG.debug("change feed of {} lost; reloading on next use", network.name(), cause);
            if (generationFollowed == generation) {
                stale = true;
            }
        }
    }
}
