package io.letterbox.cli.cluster;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestHeader;

import io.letterbox.cli.client.CliException;

/**
 * Asks one broker which Kafka APIs and versions it supports (ApiVersions v3 over a plain TCP
 * connection). The answer carries no software name or version, so this is what a client can
 * honestly say about a broker's version. Plaintext listeners only.
 */
final class ApiVersionsProbe {

    /** One API the broker supports: its name and version range. */
    record Api(String name, int key, short min, short max) {
    }

    private static final int TIMEOUT_MS = 10_000;

    private ApiVersionsProbe() {
    }

    static List<Api> query(String host, int port) {
        short version = 3;
        RequestHeader header = new RequestHeader(ApiKeys.API_VERSIONS, version, "letterbox-cli", 1);
        ByteBuffer request = new ApiVersionsRequest.Builder().build(version).serializeWithHeader(header);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            byte[] frame = new byte[4 + request.remaining()];
            ByteBuffer.wrap(frame).putInt(request.remaining()).put(request);
            out.write(frame);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int size = in.readInt();
            if (size <= 0 || size > 1 << 20) {
                throw new CliException("broker at " + host + ":" + port + " sent an ApiVersions answer of " + size + " bytes");
            }
            byte[] body = new byte[size];
            in.readFully(body);
            ApiVersionsResponse response = (ApiVersionsResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(body), header);
            Errors error = Errors.forCode(response.data().errorCode());
            if (error != Errors.NONE) {
                throw new CliException("broker at " + host + ":" + port + " answered ApiVersions with " + error);
            }
            List<Api> apis = new ArrayList<>();
            for (ApiVersion v : response.data().apiKeys()) {
                String name = ApiKeys.hasId(v.apiKey()) ? ApiKeys.forId(v.apiKey()).name : "api-" + v.apiKey();
                apis.add(new Api(name, v.apiKey(), v.minVersion(), v.maxVersion()));
            }
            return apis;
        } catch (IOException e) {
            throw new CliException("could not ask " + host + ":" + port + " for its API versions: " + e.getMessage());
        }
    }
}
