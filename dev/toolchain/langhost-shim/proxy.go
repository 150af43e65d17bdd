package main

import (
	"context"
	"errors"
	"io"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
)

const maxMessageSize = 400 * 1024 * 1024 // what the Pulumi engine allows

const (
	runMethod       = "/pulumirpc.LanguageRuntime/Run"
	runPluginMethod = "/pulumirpc.LanguageRuntime/RunPlugin"
)

// frame carries a gRPC message as raw bytes, so that calls are forwarded without knowing their types.
type frame struct{ payload []byte }

// rawCodec passes frames through as they are; it registers as "proto" so both ends agree on the
// content type.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return v.(*frame).payload, nil }

func (rawCodec) Unmarshal(data []byte, v any) error {
	v.(*frame).payload = append([]byte(nil), data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

// proxy serves the engine: Run and RunPlugin(kind=analyzer or resource) itself, everything else by forwarding
// it to the real host.
type proxy struct {
	backend       grpc.ClientConnInterface
	engineAddress string
}

func newServer(p *proxy) *grpc.Server {
	return grpc.NewServer(grpc.UnknownServiceHandler(p.handle), grpc.ForceServerCodec(rawCodec{}),
		grpc.MaxRecvMsgSize(maxMessageSize), grpc.MaxSendMsgSize(maxMessageSize))
}

func (p *proxy) handle(_ any, stream grpc.ServerStream) error {
	method, _ := grpc.MethodFromServerStream(stream)
	switch method {
	case runMethod:
		var req pulumirpc.RunRequest
		if _, err := receive(stream, &req); err != nil {
			return err
		}
		response, err := proto.Marshal(p.runProgram(&req))
		if err != nil {
			return err
		}
		return stream.SendMsg(&frame{payload: response})
	case runPluginMethod:
		var req pulumirpc.RunPluginRequest
		first, err := receive(stream, &req)
		if err != nil {
			return err
		}
		switch req.GetKind() {
		case "analyzer":
			return runPolicyPack(&req, stream)
		case "resource":
			return runResourcePlugin(&req, stream)
		}
		return p.forward(method, stream, first)
	default:
		return p.forward(method, stream, nil)
	}
}

// receive reads the call's request and decodes it into req; the raw frame is returned too, for a
// call that is forwarded after all.
func receive(stream grpc.ServerStream, req proto.Message) (*frame, error) {
	var request frame
	if err := stream.RecvMsg(&request); err != nil {
		return nil, err
	}
	if err := proto.Unmarshal(request.payload, req); err != nil {
		return nil, err
	}
	return &request, nil
}

// forwardedMetadata is the incoming metadata minus what gRPC sets itself on the outgoing call.
func forwardedMetadata(incoming metadata.MD) metadata.MD {
	outgoing := metadata.MD{}
	for key, values := range incoming {
		if strings.HasPrefix(key, ":") || key == "content-type" || key == "user-agent" || key == "te" ||
			strings.HasPrefix(key, "grpc-") {
			continue
		}
		outgoing[key] = values
	}
	return outgoing
}

// forward relays one call (any streaming shape) to the real host; first, when set, is a request
// already read from the stream.
func (p *proxy) forward(method string, stream grpc.ServerStream, first *frame) error {
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	if incoming, ok := metadata.FromIncomingContext(ctx); ok {
		ctx = metadata.NewOutgoingContext(ctx, forwardedMetadata(incoming))
	}
	backendStream, err := p.backend.NewStream(ctx,
		&grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, method, grpc.ForceCodec(rawCodec{}))
	if err != nil {
		return err
	}
	go func() {
		if first != nil {
			if err := backendStream.SendMsg(first); err != nil {
				return
			}
		}
		for {
			var request frame
			if err := stream.RecvMsg(&request); err != nil {
				_ = backendStream.CloseSend()
				return
			}
			if err := backendStream.SendMsg(&request); err != nil {
				return
			}
		}
	}()
	if header, err := backendStream.Header(); err == nil {
		_ = stream.SendHeader(header)
	}
	for {
		var response frame
		if err := backendStream.RecvMsg(&response); err != nil {
			stream.SetTrailer(backendStream.Trailer())
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if err := stream.SendMsg(&response); err != nil {
			return err
		}
	}
}
