/**
 * The allocator's store over etcd v3: {@link net.allocator.etcd.EtcdKeyValueStore}, configured
 * by {@link net.allocator.etcd.EtcdConfig} and found by name ({@code etcd}) through {@link
 * net.allocator.etcd.EtcdStoreProvider}.
 */
package net.allocator.etcd;
