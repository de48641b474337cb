package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

type connection struct {
	Host                 string `json:"host"`
	Port                 int    `json:"port"`
	User                 string `json:"user"`
	PrivateKey           string `json:"privateKey"`
	HostKey              string `json:"hostKey"`
	InsecureFirstContact bool   `json:"insecureFirstContact"`
}

// How long a host that refuses or drops the connection is retried: long
// enough for a host that is still booting, short enough to fail clearly.
const dialFor = 60 * time.Second

func parseHostKey(line string) (ssh.PublicKey, error) {
	key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		return nil, fmt.Errorf("must be one public host key line such as 'ssh-ed25519 AAAA...': %v", err)
	}
	return key, nil
}

func parseSigner(pem string) (ssh.Signer, error) { return ssh.ParsePrivateKey([]byte(pem)) }

// pool keeps one SSH connection per host for the life of the provider, that
// is, one `pulumi up`: every service on a host shares it.
type pool struct {
	mu      sync.Mutex
	clients map[string]*dialing
	// How long a host that does not answer yet is retried.
	dialFor time.Duration
}

type dialing struct {
	done   chan struct{}
	client *ssh.Client
	err    error
}

func newPool() *pool { return &pool{clients: map[string]*dialing{}, dialFor: dialFor} }

func (c connection) key() string {
	sum := sha256.Sum256([]byte(c.PrivateKey))
	return strings.Join([]string{c.User, c.Host, strconv.Itoa(c.Port), c.HostKey, strconv.FormatBool(c.InsecureFirstContact), string(sum[:])}, "\x00")
}

func (p *pool) get(ctx context.Context, c connection) (*ssh.Client, error) {
	p.mu.Lock()
	d, ok := p.clients[c.key()]
	if !ok {
		d = &dialing{done: make(chan struct{})}
		p.clients[c.key()] = d
		go func() {
			d.client, d.err = dial(ctx, c, p.dialFor)
			close(d.done)
		}()
	}
	p.mu.Unlock()
	<-d.done
	if d.err != nil {
		p.forget(c, d)
	}
	return d.client, d.err
}

func (p *pool) forget(c connection, d *dialing) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.clients[c.key()] == d {
		delete(p.clients, c.key())
	}
}

func (p *pool) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, d := range p.clients {
		select {
		case <-d.done:
			if d.client != nil {
				d.client.Close()
			}
		default:
		}
		delete(p.clients, k)
	}
}

// run runs command on the host with stdin, and returns its standard output.
// A connection that broke since it was opened is opened again once.
func (p *pool) run(ctx context.Context, c connection, command, stdin string) (string, error) {
	for attempt := 0; ; attempt++ {
		client, err := p.get(ctx, c)
		if err != nil {
			return "", err
		}
		session, err := client.NewSession()
		if err != nil {
			p.mu.Lock()
			if d := p.clients[c.key()]; d != nil && d.client == client {
				delete(p.clients, c.key())
			}
			p.mu.Unlock()
			client.Close()
			if attempt == 0 {
				continue
			}
			return "", fmt.Errorf("ssh %s@%s:%d: %w", c.User, c.Host, c.Port, err)
		}
		defer session.Close()
		var stdout, stderr bytes.Buffer
		session.Stdin = strings.NewReader(stdin)
		session.Stdout = &stdout
		session.Stderr = &stderr
		err = session.Run(command)
		if err == nil {
			return stdout.String(), nil
		}
		var exit *ssh.ExitError
		if errors.As(err, &exit) {
			msg := strings.TrimSpace(stderr.String())
			if msg == "" {
				msg = strings.TrimSpace(stdout.String())
			}
			return "", fmt.Errorf("exit status %d:\n%s", exit.ExitStatus(), msg)
		}
		return "", fmt.Errorf("ssh %s@%s:%d: %w", c.User, c.Host, c.Port, err)
	}
}

func dial(ctx context.Context, c connection, dialFor time.Duration) (*ssh.Client, error) {
	config := &ssh.ClientConfig{User: c.User, Timeout: 15 * time.Second}
	if c.PrivateKey != "" {
		signer, err := parseSigner(c.PrivateKey)
		if err != nil {
			return nil, fmt.Errorf("connection.privateKey: %w", err)
		}
		config.Auth = []ssh.AuthMethod{ssh.PublicKeys(signer)}
	} else if sock := os.Getenv("SSH_AUTH_SOCK"); sock != "" {
		conn, err := net.Dial("unix", sock)
		if err != nil {
			return nil, fmt.Errorf("no privateKey given and the SSH agent at %s cannot be reached: %w", sock, err)
		}
		config.Auth = []ssh.AuthMethod{ssh.PublicKeysCallback(agent.NewClient(conn).Signers)}
	} else {
		return nil, errors.New("no privateKey given and no SSH agent (SSH_AUTH_SOCK) to log in with")
	}

	addr := net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	switch {
	case c.HostKey != "":
		want, err := parseHostKey(c.HostKey)
		if err != nil {
			return nil, fmt.Errorf("connection.hostKey: %w", err)
		}
		// Ask for the pinned key's type, so a host that also has other key
		// types cannot answer with one we have no pin for.
		config.HostKeyAlgorithms = algorithmsFor(want.Type())
		config.HostKeyCallback = func(_ string, _ net.Addr, got ssh.PublicKey) error {
			if !bytes.Equal(got.Marshal(), want.Marshal()) {
				return &hostKeyMismatch{addr: addr, got: got}
			}
			return nil
		}
	case c.InsecureFirstContact:
		config.HostKeyCallback = ssh.InsecureIgnoreHostKey()
	default:
		return nil, errors.New("connection.hostKey is not pinned and insecureFirstContact is not set")
	}

	deadline := time.Now().Add(dialFor)
	for {
		client, err := ssh.Dial("tcp", addr, config)
		if err == nil {
			return client, nil
		}
		var mismatch *hostKeyMismatch
		if errors.As(err, &mismatch) {
			return nil, mismatch
		}
		if strings.Contains(err.Error(), "unable to authenticate") {
			return nil, fmt.Errorf("ssh %s@%s: the host refused the key: %w", c.User, addr, err)
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("ssh %s@%s: %w (retried for %s)", c.User, addr, err, dialFor)
		}
		time.Sleep(2 * time.Second)
	}
}

func algorithmsFor(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}

type hostKeyMismatch struct {
	addr string
	got  ssh.PublicKey
}

func (e *hostKeyMismatch) Error() string {
	return fmt.Sprintf("host key mismatch at %s: it presented %s %s, not the pinned connection.hostKey; nothing was run",
		e.addr, e.got.Type(), base64.StdEncoding.EncodeToString(e.got.Marshal()))
}
